import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { shardOf } from "../../src/fleet/shard.js";
import { runCli, startCli, type CliResult } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { createDatabase, pgAdmin, serverUp, type TestDatabase } from "../helpers/servers.js";

const SHARDS = 4;
const SQLITE = Array.from({ length: 400 }, (_, i) => `t_${String(i).padStart(3, "0")}`);
/** A PostgreSQL database among the tenants whose second migration sleeps until a marker table exists: the shard holding it is killed while it runs. */
const SLEEPER = "t_200_slow";
const POSTGRES = ["pg_a", "pg_b", "pg_c", SLEEPER];
const ALL = [...SQLITE, ...POSTGRES].sort();
const KILLED = shardOf(SLEEPER, SHARDS);

const hasPostgres = await serverUp("postgres");

interface Report {
  databases: { name: string; status: string; applied: string[] }[];
  ledger?: { runId: string; label: string };
}
interface Shown {
  label: string;
  runs: { shard: string; status: string }[];
  databases: { name: string; status: string; shard?: string }[];
  counts: Record<string, number>;
}

/**
 * The "done when" of issue 17: N = 4 shard processes (one through auto/N and
 * JOB_COMPLETION_INDEX) over 400 SQLite and 4 PostgreSQL databases with a PostgreSQL ledger;
 * then a release whose shard is SIGKILLed mid-run, and `--only-failed` finishing exactly what it left.
 */
describe.skipIf(!hasPostgres)("a sharded fleet with a PostgreSQL ledger", () => {
  const project = tempProject();
  const env: Record<string, string> = {};
  const pg = new Map<string, TestDatabase>();
  let ledger: TestDatabase;

  beforeAll(async () => {
    ledger = await createDatabase("postgres", project.dir);
    env.LEDGER_URL = ledger.url;
    for (const name of POSTGRES) {
      const db = await createDatabase("postgres", project.dir);
      pg.set(name, db);
      env[`${name.toUpperCase()}_URL`] = db.url;
    }
    project.write("migrations/001_hits.sql", "CREATE TABLE hits (n INT);\nINSERT INTO hits VALUES (1);\n");
    project.write("slow/001_hits.sql", "CREATE TABLE hits (n INT);\nINSERT INTO hits VALUES (1);\n");
    project.write("stagecraft.yml", stringify({
      ledger: { connection_env: "LEDGER_URL" },
      databases: {
        tenants: { fleet: { list: SQLITE, url: "sqlite:./dbs/{{name}}.db" }, migrations: { engine: "raw", path: "./migrations" } },
        ...Object.fromEntries(POSTGRES.map((name) => [name, { connection_env: `${name.toUpperCase()}_URL`, migrations: { engine: "raw", path: name === SLEEPER ? "./slow" : "./migrations" } }])),
      },
    }));
  });
  afterAll(async () => {
    for (const db of pg.values()) await db.drop();
    await ledger?.drop();
    project.cleanup();
  });

  const shardArgs = (k: number): { args: string[]; env: Record<string, string> } =>
    k === SHARDS - 1 ? { args: ["--shard", `auto/${SHARDS}`], env: { ...env, JOB_COMPLETION_INDEX: String(k) } } : { args: ["--shard", `${k}/${SHARDS}`], env };
  const show = async (label: string): Promise<Shown> => JSON.parse((await runCli(["runs", "show", label, "--json"], project.dir, env)).stdout) as Shown;
  /** Rows in `hits` of every database: a migration applied twice shows as an extra row. */
  const hits = async (): Promise<Map<string, number>> => {
    const out = new Map<string, number>();
    for (const name of SQLITE) {
      const db = new Database(`${project.dir}/dbs/${name}.db`, { readonly: true });
      out.set(name, (db.prepare("SELECT COUNT(*) AS n FROM hits").get() as { n: number }).n);
      db.close();
    }
    for (const [name, db] of pg) out.set(name, Number((await db.query<{ n: string }>("SELECT COUNT(*) AS n FROM hits"))[0]!.n));
    return out;
  };

  it("4 shard processes migrate every database exactly once, disjoint, recorded under one label", async () => {
    const runs = await Promise.all(Array.from({ length: SHARDS }, (_, k) => {
      const { args, env: shardEnv } = shardArgs(k);
      return runCli(["migrate", ...args, "--run-label", "v1", "--json"], project.dir, shardEnv);
    }));
    for (const run of runs) expect([run.code, run.stderr]).toEqual([0, ""]);
    const names = runs.flatMap((run) => (JSON.parse(run.stdout) as Report).databases.map((db) => db.name));
    expect(names.length).toBe(ALL.length);
    expect([...names].sort()).toEqual(ALL);
    expect([...(await hits()).values()].every((n) => n === 1)).toBe(true);
    const shown = await show("v1");
    expect(shown.counts.succeeded).toBe(ALL.length);
    expect(shown.databases).toHaveLength(ALL.length);
    expect(shown.runs.map((run) => `${run.shard} ${run.status}`).sort()).toEqual(["0/4 succeeded", "1/4 succeeded", "2/4 succeeded", "3/4 succeeded"]);
  }, 240_000);

  it("a SIGKILLed shard leaves its databases unfinished; --only-failed finishes exactly those", async () => {
    project.write("migrations/002_more.sql", "INSERT INTO hits VALUES (2);\n");
    project.write("slow/002_more.sql", [
      "DO $$ BEGIN",
      "  WHILE NOT EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'go_on') LOOP PERFORM pg_sleep(0.2); END LOOP;",
      "END $$;",
      "INSERT INTO hits VALUES (2);",
      "",
    ].join("\n"));
    const others = Array.from({ length: SHARDS }, (_, k) => k).filter((k) => k !== KILLED).map((k) => {
      const { args, env: shardEnv } = shardArgs(k);
      return runCli(["migrate", ...args, "--run-label", "v2", "--json"], project.dir, shardEnv);
    });
    // One database at a time: those before the sleeper finish, those after it have not started.
    const { args, env: killedEnv } = shardArgs(KILLED);
    const victim = startCli(["migrate", ...args, "--run-label", "v2", "--concurrency", "1", "--json"], project.dir, killedEnv);
    let exited: CliResult | undefined;
    void victim.done.then((result) => (exited = result));
    for (;;) {
      const rows = await ledger.query<{ status: string }>("SELECT status FROM stagecraft_run_databases WHERE label = 'v2' AND database_name = $1", [SLEEPER]);
      if (rows[0]?.status === "running") break;
      expect(exited).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    victim.child.kill("SIGKILL");
    expect((await victim.done).signal).toBe("SIGKILL");
    for (const run of await Promise.all(others)) expect(run.code).toBe(0);
    // The killed process's session may still sit in the sleeper's loop, holding its lock.
    await pgAdmin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [pg.get(SLEEPER)!.name]);

    const shown = await show("v2");
    const unfinished = shown.databases.filter((db) => db.status === "unfinished").map((db) => db.name);
    const killedShard = ALL.filter((name) => shardOf(name, SHARDS) === KILLED);
    expect(unfinished).toContain(SLEEPER);
    expect(unfinished).toEqual(expect.arrayContaining(killedShard.filter((name) => name > SLEEPER)));
    expect(unfinished.every((name) => killedShard.includes(name))).toBe(true);
    expect(shown.counts.succeeded + shown.counts.unfinished).toBe(ALL.length);
    expect(shown.runs.filter((run) => run.status === "unfinished").map((run) => run.shard)).toEqual([`${KILLED}/${SHARDS}`]);
    const text = await runCli(["runs", "show", "v2"], project.dir, env);
    expect(text.stdout).toContain(`\n${SLEEPER.padEnd(10)}  unfinished  ${KILLED}/4  `);

    await pg.get(SLEEPER)!.query("CREATE TABLE go_on (x INT)");
    const rerun = await runCli(["migrate", "--only-failed", "v2", "--json"], project.dir, env);
    expect([rerun.code, rerun.stderr]).toEqual([0, ""]);
    const rerunReport = JSON.parse(rerun.stdout) as Report;
    expect(rerunReport.databases.map((db) => db.name)).toEqual(unfinished);
    expect(rerunReport.ledger?.label).toBe("v2");
    const after = await show("v2");
    expect(after.counts.succeeded).toBe(ALL.length);
    expect([...(await hits()).values()].every((n) => n === 2)).toBe(true);
  }, 240_000);
});
