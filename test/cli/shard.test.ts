import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const NAMES = Array.from({ length: 30 }, (_, i) => `t_${String(i).padStart(2, "0")}`);
/** Every third tenant is tagged eu: shards split what the tags select. */
const EU = NAMES.filter((_, i) => i % 3 === 0);
/** Concurrent shards share a SQLite ledger. */
const LEDGER = { LEDGER_URL: "sqlite:./ledger.db" };

describe("migrate --shard", () => {
  const project = tempProject();
  beforeAll(() => {
    project.write("migrations/001_hits.sql", "CREATE TABLE hits (n INT);\nINSERT INTO hits VALUES (1);\n");
    project.write("stagecraft.yml", stringify({
      ledger: { connection_env: "LEDGER_URL" },
      databases: {
        tenants: { fleet: { list: NAMES.map((name, i) => ({ name, region: i % 3 === 0 ? "eu" : "us" })), url: "sqlite:./dbs/{{name}}.db", tags: ["{{region}}"] }, migrations: { engine: "raw", path: "./migrations" } },
      },
    }));
  });
  afterAll(() => project.cleanup());
  const names = (stdout: string): string[] => (JSON.parse(stdout) as { databases: { name: string; applied: string[] }[] }).databases.map((db) => db.name);

  it("splits the selection (after --tag) into disjoint shards that cover it, each migrating its own databases once", async () => {
    const runs = await Promise.all([0, 1, 2].map((k) => runCli(["migrate", "--tag", "eu", "--shard", `${k}/3`, "--run-label", "s1", "--json"], project.dir, LEDGER)));
    for (const run of runs) expect(run.code).toBe(0);
    const shards = runs.map((run) => names(run.stdout));
    expect(shards.flat().sort()).toEqual(EU);
    expect(new Set(shards.flat()).size).toBe(EU.length);
    for (const run of runs) for (const db of JSON.parse(run.stdout).databases) expect(db.applied).toEqual(["001_hits"]);
    const text = await runCli(["migrate", "--tag", "eu", "--shard", "0/3"], project.dir, LEDGER);
    expect(text.stdout).toContain(`shard 0/3: ${shards[0]!.length} of ${EU.length} selected databases\n`);
    const shown = JSON.parse((await runCli(["runs", "show", "s1", "--tag", "eu", "--json"], project.dir, LEDGER)).stdout);
    expect([shown.counts.succeeded, shown.runs.length]).toEqual([EU.length, 3]);
  });

  it("takes STAGECRAFT_SHARD, and auto/N takes K from JOB_COMPLETION_INDEX (0-based)", async () => {
    const explicit = names((await runCli(["migrate", "--plan", "--shard", "2/4", "--json"], project.dir)).stdout);
    expect(explicit.length).toBeGreaterThan(0);
    expect(explicit.length).toBeLessThan(NAMES.length);
    expect(names((await runCli(["migrate", "--plan", "--json"], project.dir, { STAGECRAFT_SHARD: "2/4" })).stdout)).toEqual(explicit);
    expect(names((await runCli(["migrate", "--plan", "--shard", "auto/4", "--json"], project.dir, { JOB_COMPLETION_INDEX: "2" })).stdout)).toEqual(explicit);
    // The flag wins over the variable.
    expect(names((await runCli(["migrate", "--plan", "--shard", "2/4", "--json"], project.dir, { STAGECRAFT_SHARD: "0/4" })).stdout)).toEqual(explicit);
  });

  it("refuses K out of range and a malformed or unset shard with exit 1, touching nothing", async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [["--shard", "4/4"], {}, "error: --shard: shard 4/4 is out of range: K is 0-based, from 0 to 3\n"],
      [["--shard", "1/0"], {}, "error: --shard: the shard count must be a whole number ≥ 1 (got 0)\n"],
      [["--shard", "one/4"], {}, 'error: --shard: shard "one/4" is not K/N or auto/N (K is 0-based: 0/4 … 3/4)\n'],
      [["--shard", "auto/4"], {}, "error: --shard: shard auto/4 reads JOB_COMPLETION_INDEX, which is not set (Kubernetes sets it in pods of an Indexed Job)\n"],
      [[], { STAGECRAFT_SHARD: "5/2" }, "error: STAGECRAFT_SHARD: shard 5/2 is out of range: K is 0-based, from 0 to 1\n"],
    ];
    for (const [args, env, stderr] of cases) {
      const run = await runCli(["migrate", "--tag", "us", ...args], project.dir, env);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(stderr);
    }
    const plan = JSON.parse((await runCli(["migrate", "--plan", "--tag", "us", "--json"], project.dir)).stdout);
    expect(plan.databases.every((db: { migrations: { applied: boolean }[] }) => db.migrations.every((m) => !m.applied))).toBe(true);
  });

  it("--only-failed combines with --shard: each shard reruns its share of what the label lacks", async () => {
    const reruns = await Promise.all([0, 1].map((k) => runCli(["migrate", "--only-failed", "s1", "--shard", `${k}/2`, "--json"], project.dir, LEDGER)));
    for (const run of reruns) expect(run.code).toBe(0);
    const rerun = reruns.map((run) => names(run.stdout));
    // The us databases were never run under s1: missing, so rerun, each by one shard.
    expect(rerun.flat().sort()).toEqual(NAMES.filter((name) => !EU.includes(name)));
    expect(new Set(rerun.flat()).size).toBe(rerun.flat().length);
    const shown = JSON.parse((await runCli(["runs", "show", "s1", "--json"], project.dir, LEDGER)).stdout);
    expect(shown.counts.succeeded).toBe(NAMES.length);
  });
});
