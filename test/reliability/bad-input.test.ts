import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { ConfigError, parseConfig } from "../helpers/stagecraft.js";

const project = tempProject();
project.write("migrations/.keep", "");
const FILE = project.write("stagecraft.yml", "");
afterAll(() => project.cleanup());

/** The config either loads, or fails with a ConfigError whose every issue is placed and readable. */
async function expectStructuredOutcome(text: string, env: Record<string, string> = {}): Promise<void> {
  try {
    await parseConfig(text, FILE, { env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`not a ConfigError: ${(error as Error)?.stack ?? String(error)}`);
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(issue.file).toBe(FILE);
      expect(typeof issue.path).toBe("string");
      expect(issue.message.length).toBeGreaterThan(0);
      expect(issue.message).not.toMatch(/\n\s+at /);
      if (issue.line !== undefined) expect(issue.line).toBeGreaterThanOrEqual(1);
    }
    expect(error.message).toMatch(/^invalid config \(\d+ problems?\):\n/);
  }
}

const text = fc.oneof(fc.string(), fc.constantFrom("", "raw", "drizzle", "prisma", "knex", "nope", "../..", "..", "/etc", "./migrations", "${UNSET_VAR}", "${HOME}", "$${LITERAL}", "a".repeat(5000)));
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const migrations = fc.record({
  engine: fc.oneof(fc.constantFrom("raw", "drizzle", "prisma", "knex", "foo"), scalar),
  path: fc.oneof(fc.constantFrom("./migrations", "migrations", "..", "../..", "./missing", "${UNSET_PATH}"), scalar),
  strategy: fc.oneof(fc.constantFrom("pre_deploy", "post_deploy", "manual"), scalar),
  lock_timeout_ms: fc.oneof(fc.nat(), fc.integer({ min: -5, max: 0 }), scalar),
  table: scalar,
  tabel: scalar,
  transaction_mode: fc.oneof(fc.constantFrom("all", "per-migration"), scalar),
}, { requiredKeys: [] });
const database = fc.record({ connection_env: fc.oneof(fc.constantFrom("DATABASE_URL", "1BAD", "has space"), scalar), migrations: fc.oneof(migrations, scalar), extra: scalar }, { requiredKeys: [] });
const config = fc.record({
  databases: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom("main", "a.b", "with space", "ü"), fc.string()), fc.oneof(database, scalar), { maxKeys: 5 }), scalar),
  plugins: fc.oneof(fc.array(fc.constantFrom("./missing.mjs", "../nope.js")), scalar),
  environments: fc.oneof(fc.dictionary(fc.string(), fc.anything()), scalar),
  project: fc.anything(),
}, { requiredKeys: [] });

describe("bad input never escapes as an uncaught error or a stack trace", () => {
  it("generated configs: loaded, or rejected with every problem placed", async () => {
    await fc.assert(fc.asyncProperty(config, async (value) => expectStructuredOutcome(stringify(value))), { numRuns: 300 });
  });

  it("arbitrary YAML values and raw text", async () => {
    await fc.assert(fc.asyncProperty(fc.anything(), async (value) => expectStructuredOutcome(stringify(value) ?? "")), { numRuns: 200 });
    await fc.assert(fc.asyncProperty(fc.string({ unit: "binary", maxLength: 400 }), async (raw) => expectStructuredOutcome(raw)), { numRuns: 300 });
  });

  it("YAML traps: anchors and alias bombs, duplicate keys, tabs, a huge file", async () => {
    await expectStructuredOutcome("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ndatabases: {}\n");
    await expectStructuredOutcome("databases:\n  main: {}\n  main: {}\n");
    await expectStructuredOutcome("databases:\n\tmain:\n\t\tconnection_env: X\n");
    const huge = { databases: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`db${i}`, { connection_env: "X", migrations: { engine: i % 2 ? "raw" : "nope", path: "./migrations" } }])) };
    await expectStructuredOutcome(stringify(huge));
  });

  it("the CLI answers garbage with exit 1 and a rendered message, never a stack trace", async () => {
    const samples = fc.sample(config, { numRuns: 6, seed: 42 }).map((value) => stringify(value));
    samples.push("{ unclosed", "- just\n- a list\n", "\u0000\u0001binary");
    for (const sample of samples) {
      project.write("stagecraft.yml", sample);
      const result = await runCli(["migrate", "--plan"], project.dir);
      expect([0, 1, 2]).toContain(result.code);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      if (result.code === 1) expect(result.stderr).toMatch(/^invalid config \(\d+ problems?\):\n/);
    }
  });
});
