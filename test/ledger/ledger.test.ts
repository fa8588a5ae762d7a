import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type TestDatabase } from "../helpers/servers.js";

const dialects = await availableDialects();
const TENANTS = ["t_1", "t_2", "t_3", "t_4", "t_5"];

/** The ledger on each dialect; the databases it records are SQLite files (what they are does not matter to it). */
describeDialects("the run ledger on %s", dialects, (dialect) => {
  const project = tempProject();
  let ledger: TestDatabase;
  let env: Record<string, string>;
  const config = (extra: Record<string, unknown> = {}) => project.write("stagecraft.yml", stringify({
    ledger: { connection_env: "LEDGER_URL" },
    databases: {
      tenants: { fleet: { list: TENANTS, url: "sqlite:./dbs/{{name}}.db" }, migrations: { engine: "raw", path: "./migrations" } },
      broken: { connection_env: "BROKEN_URL", migrations: { engine: "raw", path: "./broken" } },
      ...extra,
    },
  }));
  const cli = (...args: string[]) => runCli(args, project.dir, env);
  const rows = (sql: string) => ledger.query<Record<string, unknown>>(sql);

  beforeAll(async () => {
    ledger = await createDatabase(dialect, project.dir);
    env = { LEDGER_URL: ledger.url, BROKEN_URL: "sqlite:./dbs/broken.db", LATE_URL: "sqlite:./dbs/late.db" };
    project.write("migrations/001_hits.sql", "CREATE TABLE hits (n INT);\nINSERT INTO hits VALUES (1);\n");
    project.write("broken/001_hits.sql", "CREATE TABLE hits (n INT);\nINSERT INTO nope VALUES (1);\n");
    config();
  });
  afterAll(async () => {
    await ledger?.drop();
    project.cleanup();
  });

  it("creates its tables, records the run and each database's outcome", async () => {
    const run = await cli("migrate", "--run-label", "r1", "--json");
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout);
    expect(report.ledger.label).toBe("r1");
    expect(await rows("SELECT meta_key, meta_value FROM stagecraft_ledger_meta")).toEqual([{ meta_key: "schema_version", meta_value: "1" }]);
    const [runRow] = await rows("SELECT * FROM stagecraft_runs");
    expect(runRow).toMatchObject({ id: report.ledger.runId, label: "r1", mode: "up", status: "failed", stagecraft_version: "0.1.0", host: expect.any(String) });
    expect(runRow!.config_hash).toBe(createHash("sha256").update(readFileSync(`${project.dir}/stagecraft.yml`)).digest("hex"));
    expect(Object.keys(JSON.parse(String(runRow!.migration_sets)))).toEqual(["raw:broken", "raw:migrations"]);
    expect([runRow!.shard_index, runRow!.shard_count, runRow!.selected, runRow!.succeeded, runRow!.failed].map(Number)).toEqual([0, 1, 6, 5, 1]);
    expect(runRow!.finished_at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    const dbs = await rows("SELECT database_name, status, applied, error_kind, error_migration, error_message, duration_ms FROM stagecraft_run_databases ORDER BY database_name");
    expect(dbs.map((r) => [r.database_name, r.status, r.applied])).toEqual([
      ["broken", "failed", "[]"],
      ...TENANTS.map((name) => [name, "succeeded", '["001_hits"]']),
    ]);
    expect(dbs[0]).toMatchObject({ error_kind: "migration_failed", error_migration: "001_hits" });
    expect(String(dbs[0]!.error_message)).toContain("no such table: nope");
    expect(dbs.every((r) => Number(r.duration_ms) >= 0 && r.duration_ms !== null)).toBe(true);
  });

  it("`runs` lists the label; `runs show` gives every database, with those no run reported as missing", async () => {
    config({ late: { connection_env: "LATE_URL", migrations: { engine: "raw", path: "./migrations" } } });
    const list = JSON.parse((await cli("runs", "--json")).stdout);
    expect(list.runs.map((r: { label: string; counts: { succeeded: number; failed: number } }) => [r.label, r.counts.succeeded, r.counts.failed])).toEqual([["r1", 5, 1]]);
    const listed = await cli("runs");
    expect(listed.stdout).toMatch(/^r1\n  started \d{4}-\d\d-\d\dT[\d:.]+Z · 1 run \(failed\) · shards 0\/1\n  6 databases: 5 succeeded, 1 failed\n$/);
    const show = await cli("runs", "show", "r1", "--json");
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout);
    expect(shown.databases.map((d: { name: string; status: string }) => `${d.name}:${d.status}`)).toEqual(["broken:failed", "late:missing", ...TENANTS.map((n) => `${n}:succeeded`)]);
    const text = await cli("runs", "show", "r1");
    expect(text.stdout).toMatch(/^run r1: 7 databases: 5 succeeded, 1 failed, 1 missing\n/);
    expect(text.stdout).toContain("\nlate      missing     -             0\n");
    expect(text.stdout).toMatch(/\nbroken    failed      0\/1           0  migration_failed in 001_hits: database broken: .*no such table: nope/);
    const unknown = await cli("runs", "show", "r9");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: the ledger has no run or label "r9"\n  hint: `stagecraft runs` lists recent runs and labels\n');
  });

  it("--only-failed reruns exactly the failed and missing databases, under the same label", async () => {
    project.write("broken/001_hits.sql", "CREATE TABLE hits (n INT);\nINSERT INTO hits VALUES (1);\n");
    const rerun = await cli("migrate", "--only-failed", "--json");
    expect(rerun.code).toBe(0);
    const report = JSON.parse(rerun.stdout);
    expect(report.databases.map((d: { name: string }) => d.name)).toEqual(["broken", "late"]);
    expect(report.ledger.label).toBe("r1");
    const shown = JSON.parse((await cli("runs", "show", "r1", "--json")).stdout);
    expect(shown.counts.succeeded).toBe(7);
    expect(shown.runs).toHaveLength(2);
    const nothing = JSON.parse((await cli("migrate", "--only-failed", "r1", "--json")).stdout);
    expect(nothing.databases).toEqual([]);
  });

  it("refuses tables of a newer version, before touching any database", async () => {
    await ledger.query("UPDATE stagecraft_ledger_meta SET meta_value = '99' WHERE meta_key = 'schema_version'");
    config({ fresh: { connection_env: "FRESH_URL", migrations: { engine: "raw", path: "./migrations" } } });
    const run = await runCli(["migrate", "-d", "fresh"], project.dir, { ...env, FRESH_URL: "sqlite:./dbs/fresh.db" });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: the ledger (LEDGER_URL) cannot be used: the ledger's tables are at version 99, newer than this stagecraft reads (1)\n  hint: check the ledger's server and URL, or pass --ledger-optional to migrate without recording the run\n");
    expect(existsSync(`${project.dir}/dbs/fresh.db`)).toBe(false);
    await ledger.query("UPDATE stagecraft_ledger_meta SET meta_value = '1' WHERE meta_key = 'schema_version'");
  });
});

it("an unreachable ledger fails the run before any database is touched (exit 1), unless --ledger-optional", async () => {
  const project = tempProject();
  try {
    project.write("migrations/001_hits.sql", "CREATE TABLE hits (n INT);\n");
    project.write("stagecraft.yml", stringify({ ledger: { connection_env: "LEDGER_URL" }, databases: { app: { connection_env: "APP_URL", migrations: { engine: "raw", path: "./migrations" } } } }));
    const env = { LEDGER_URL: "postgres://stagecraft:s3cretpw@127.0.0.1:1/ledger", APP_URL: "sqlite:./app.db" };
    const run = await runCli(["migrate"], project.dir, env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: the ledger (LEDGER_URL) cannot be used: cannot connect to postgres://stagecraft:***@127.0.0.1:1/ledger: connect ECONNREFUSED 127.0.0.1:1\n  hint: check the ledger's server and URL, or pass --ledger-optional to migrate without recording the run\n");
    expect(existsSync(`${project.dir}/app.db`)).toBe(false);
    const unset = await runCli(["migrate"], project.dir, { APP_URL: "sqlite:./app.db" });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain("the ledger's URL is not set: ledger.connection_env names LEDGER_URL, which is not set");
    const optional = await runCli(["migrate", "--ledger-optional"], project.dir, env);
    expect(optional.code).toBe(0);
    expect(optional.stderr).toContain("warning: the ledger (LEDGER_URL) cannot be used: cannot connect to postgres://stagecraft:***@127.0.0.1:1/ledger: connect ECONNREFUSED 127.0.0.1:1; migrating without recording the run (--ledger-optional)\n");
    expect(optional.stderr + optional.stdout).not.toContain("s3cretpw");
    expect(existsSync(`${project.dir}/app.db`)).toBe(true);
  } finally {
    project.cleanup();
  }
});

it.skipIf(!dialects.includes("postgres"))("never stores a database's password, even when a failing migration prints it", async () => {
  const project = tempProject();
  const target = await createDatabase("postgres", project.dir);
  try {
    // The server trusts local connections: the password in the URL is accepted and ignored.
    const url = target.url.replace("postgres://postgres@", "postgres://postgres:Hunter2Secret@");
    project.write("migrations/001_leak.sql", "DO $$ BEGIN RAISE EXCEPTION 'cannot log in with Hunter2Secret'; END $$;\n");
    project.write("stagecraft.yml", stringify({ ledger: { connection_env: "LEDGER_URL" }, databases: { app: { connection_env: "APP_URL", migrations: { engine: "raw", path: "./migrations" } } } }));
    const run = await runCli(["migrate", "--run-label", "leak", "--json"], project.dir, { LEDGER_URL: "sqlite:./ledger.db", APP_URL: url });
    expect(run.code).toBe(2);
    const ledger = new Database(`${project.dir}/ledger.db`, { readonly: true });
    const stored = JSON.stringify([ledger.prepare("SELECT * FROM stagecraft_runs").all(), ledger.prepare("SELECT * FROM stagecraft_run_databases").all()]);
    ledger.close();
    expect(stored).toContain("cannot log in with ***");
    expect(stored).not.toContain("Hunter2Secret");
  } finally {
    await target.drop();
    project.cleanup();
  }
});

it("reading a ledger that records nothing yet creates no table", async () => {
  const project = tempProject();
  try {
    project.write("migrations/001_hits.sql", "CREATE TABLE hits (n INT);\n");
    project.write("stagecraft.yml", stringify({ ledger: { connection_env: "LEDGER_URL" }, databases: { app: { connection_env: "APP_URL", migrations: { engine: "raw", path: "./migrations" } } } }));
    const env = { LEDGER_URL: "sqlite:./ledger.db", APP_URL: "sqlite:./app.db" };
    const list = await runCli(["runs"], project.dir, env);
    expect([list.code, list.stdout]).toEqual([0, "the ledger records no run yet\n"]);
    const show = await runCli(["runs", "show", "v1"], project.dir, env);
    expect([show.code, show.stderr]).toEqual([1, 'error: the ledger has no run or label "v1": it records no run yet\n']);
    // The SQLite file is not even created; were it, it would hold no table.
    const file = `${project.dir}/ledger.db`;
    const tables = existsSync(file) ? new Database(file, { readonly: true }).prepare("SELECT name FROM sqlite_master").all() : [];
    expect(tables).toEqual([]);
  } finally {
    project.cleanup();
  }
});
