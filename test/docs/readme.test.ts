import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, planAll } from "../helpers/stagecraft.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const page = (path: string): string => readFileSync(join(ROOT, path), "utf8");
const README = page("README.md");
const CONFIGURATION = page("docs/configuration.md");
const ENGINES = page("docs/engines.md");
// Inside the repository, so `import "stagecraft"` in the README's plugin resolves to this package.
// Made in beforeAll, not at import: `vitest list` imports the file and never runs afterAll.
let DIR: string;
beforeAll(() => {
  mkdirSync(join(ROOT, ".vitest-tmp"), { recursive: true });
  DIR = mkdtempSync(join(ROOT, ".vitest-tmp", "readme-"));
});
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** The fenced code blocks of a language, in page order. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

function write(path: string, text: string): void {
  mkdirSync(dirname(join(DIR, path)), { recursive: true });
  writeFileSync(join(DIR, path), text);
}

describe("README and docs examples", () => {
  // Runs before the plugin example registers my-engine in this thread's registry.
  it("the config error shown is the one stagecraft prints", async () => {
    const start = CONFIGURATION.indexOf("invalid config (1 problem):");
    const shown = CONFIGURATION.slice(start, CONFIGURATION.indexOf("```", start));
    write("bad/stagecraft.yml", "databases:\n  main:\n    connection_env: DATABASE_URL\n    migrations:\n      engine: foo\n      path: ./migrations\n");
    mkdirSync(join(DIR, "bad", "migrations"), { recursive: true });
    const message = await loadConfig(join(DIR, "bad", "stagecraft.yml")).catch((e: Error) => e.message);
    expect(shown.trim()).toBe(String(message).replaceAll(join(DIR, "bad"), "/srv/app"));
  });

  it("the config reference and the custom engine example load and plan as documented", async () => {
    const config = blocks(CONFIGURATION, "yaml")[0]!;
    const plugin = blocks(ENGINES, "js").find((b) => b.includes("tools/my-engine.mjs"))!;
    write("stagecraft.yml", config);
    write("tools/my-engine.mjs", plugin);
    write("migrations/001_init.sql", "CREATE TABLE t (id INT);\n");
    const loaded = await loadConfig(join(DIR, "stagecraft.yml"), { environment: "staging" });
    expect(loaded.databases[0]).toMatchObject({ name: "main", engine: "raw", connectionEnv: "STAGING_DATABASE_URL", lockTimeoutMs: 30000, migrationTimeoutMs: 600000 });
    const report = await planAll(loaded, { env: { STAGING_DATABASE_URL: "sqlite::memory:" } });
    expect(report.databases[0]?.migrations.map((m) => m.id)).toEqual(["001_init"]);

    write("custom.yml", "plugins: [./tools/my-engine.mjs]\ndatabases:\n  x:\n    connection_env: X\n    migrations: { engine: my-engine, path: ./migrations }\n");
    const custom = await planAll(join(DIR, "custom.yml"), { env: { X: "sqlite::memory:" } });
    expect(custom.databases[0]).toMatchObject({ status: "planned", migrations: [{ id: "001", description: "first", applied: false }] });
  });

  it("the README tour's config validates and plans", async () => {
    write("tour/stagecraft.yml", blocks(README, "yaml")[0]!);
    write("tour/accounts/migrations/001_init.sql", "CREATE TABLE a (id INT);\n");
    write("tour/catalog/drizzle/meta/_journal.json", JSON.stringify({ version: "7", dialect: "sqlite", entries: [] }));
    const report = await planAll(join(DIR, "tour", "stagecraft.yml"), { env: { ACCOUNTS_URL: "sqlite::memory:", CATALOG_URL: "sqlite::memory:" } });
    expect(report.databases.map((db) => [db.name, db.status])).toEqual([["accounts", "planned"], ["catalog", "planned"]]);
  });
});
