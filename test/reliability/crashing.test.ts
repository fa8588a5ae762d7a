import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type Dialect, type TestDatabase } from "../helpers/servers.js";
import { runAll, type DatabaseReport, type RunReport } from "../helpers/stagecraft.js";

const dialects = await availableDialects();
/** The crashers run on a server where one is available: that is where threads are shared. */
const CRASH_DIALECT: Dialect = dialects.includes("postgres") ? "postgres" : dialects.includes("mysql") ? "mysql" : "sqlite";
const PLUGIN = fileURLToPath(new URL("../fixtures/plugins/fixture-engines.mjs", import.meta.url));
const RUNNER_PLUGIN = fileURLToPath(new URL("../fixtures/plugins/runner-engines.mjs", import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SLEEP: Record<Dialect, string> = {
  postgres: "SELECT pg_sleep(0.8);",
  mysql: "SELECT SLEEP(0.8);",
  sqlite: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c;",
};
/** A non-transactional migration, slow in its middle: a crash that reached it would leave `a` without `b`. */
const NEIGHBOUR_MIGRATION = (dialect: Dialect) => `-- stagecraft:no-transaction\nCREATE TABLE a (id INT);\n${SLEEP[dialect]}\nCREATE TABLE b (id INT);\n`;

interface Crasher {
  engine: string;
  settings?: Record<string, unknown>;
  /** Files of the crasher's migrations folder. */
  files?: Record<string, string>;
  message: (dir: string) => string;
  /** The error names this file. */
  file?: (dir: string) => string;
}

const KNEX_DOWN = "exports.down = async () => {};\n";
const CRASHERS: Record<string, Crasher> = {
  "a knex migration calling process.exit": {
    engine: "knex",
    files: { "001_exit.cjs": `exports.up = async () => { await new Promise((r) => setTimeout(r, 300)); process.exit(3); };\n${KNEX_DOWN}` },
    message: () => "the worker thread running engine knex died during migration 001_exit.cjs: worker exited with code: 3",
  },
  "a knex migration module calling process.exit while it loads": {
    engine: "knex",
    files: { "001_exit_on_load.cjs": "const end = Date.now() + 300;\nwhile (Date.now() < end);\nprocess.exit(4);\n" },
    message: (dir) => `the worker thread running engine knex died while loading migration module ${dir}/crasher/001_exit_on_load.cjs: worker exited with code: 4`,
    file: (dir) => `${dir}/crasher/001_exit_on_load.cjs`,
  },
  "a knex migration throwing from a timer": {
    engine: "knex",
    files: { "001_timer.cjs": `exports.up = async () => { setTimeout(() => { throw new Error("knex migration threw from a timer"); }, 300); await new Promise(() => undefined); };\n${KNEX_DOWN}` },
    message: () => "the worker thread running engine knex died during migration 001_timer.cjs: knex migration threw from a timer",
  },
  "a plugin engine calling process.exit": {
    engine: "crash", settings: { how: "exit", after_ms: 300 },
    message: () => "the worker thread running engine crash died during migration 001_crash: worker exited with code: 9",
  },
  "a plugin engine throwing from a timer": {
    engine: "crash", settings: { how: "uncaught", after_ms: 300 },
    message: () => "the worker thread running engine crash died during migration 001_crash: crash engine threw from a timer",
  },
  "a plugin engine running out of memory": {
    engine: "crash", settings: { how: "oom", after_ms: 300 },
    message: () => "the worker thread running engine crash died during migration 001_crash: Worker terminated due to reaching memory limit: JS heap out of memory",
  },
};

async function database(dialect: Dialect, dir: string): Promise<TestDatabase> {
  const db = await createDatabase(dialect, dir);
  cleanups.push(db.drop);
  return db;
}

/** Two raw databases per dialect inside a slow non-transactional migration, beside one crasher. */
async function crashProject(crasher: Crasher) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  const databases: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  const neighbours = new Map<string, TestDatabase>();
  for (const dialect of dialects) {
    p.write(`${dialect}/001_slow.sql`, NEIGHBOUR_MIGRATION(dialect));
    for (let i = 0; i < 2; i++) {
      const name = `${dialect}${i}`;
      const db = await database(dialect, p.dir);
      neighbours.set(name, db);
      env[`URL_${name.toUpperCase()}`] = db.url;
      databases[name] = { connection_env: `URL_${name.toUpperCase()}`, migrations: { engine: "raw", path: `./${dialect}` } };
    }
  }
  p.write("crasher/.keep", "");
  for (const [name, text] of Object.entries(crasher.files ?? {})) p.write(`crasher/${name}`, text);
  env.CRASHER_URL = (await database(CRASH_DIALECT, p.dir)).url;
  databases.crasher = { connection_env: "CRASHER_URL", migrations: { engine: crasher.engine, path: "./crasher", ...crasher.settings } };
  const file = p.write("stagecraft.yml", stringify({ plugins: [RUNNER_PLUGIN], databases }));
  return { dir: p.dir, file, env, neighbours };
}

/** Every neighbour applied its migration whole, once, and recorded it as finished. */
async function expectNeighboursWhole(report: RunReport, neighbours: Map<string, TestDatabase>): Promise<void> {
  const by = new Map(report.databases.map((d) => [d.name, d]));
  for (const [name, db] of neighbours) {
    const r = by.get(name);
    expect({ name, status: r?.status, applied: r?.applied, error: r?.error }).toEqual({ name, status: "succeeded", applied: ["001_slow"], error: undefined });
    const rows = await db.query<{ id: string; finished_at: unknown }>("SELECT id, finished_at FROM stagecraft_migrations");
    expect(rows.map((row) => [row.id, row.finished_at !== null])).toEqual([["001_slow", true]]);
    expect(await db.query("SELECT * FROM b")).toEqual([]);
  }
}

describe("a crash fails one database, not the run", () => {
  it.each(Object.keys(CRASHERS))(`%s on ${CRASH_DIALECT} never touches the non-transactional migrations running beside it (${dialects.join(", ")})`, async (name) => {
    const crasher = CRASHERS[name]!;
    const { dir, file, env, neighbours } = await crashProject(crasher);
    // One shared thread for every server database: the crasher would land in it if it could.
    const report = await runAll(file, { env, sharedThreads: 1, maxThreads: 4, concurrency: 16, workerMemoryMb: 64 });
    const bad = report.databases.find((d) => d.name === "crasher") as DatabaseReport;
    expect(bad.status).toBe("failed");
    expect(bad.error?.kind).toBe("internal");
    expect(bad.error?.message).toBe(`database crasher: ${crasher.message(dir)}`);
    if (crasher.file) expect(bad.error?.file).toBe(crasher.file(dir));
    await expectNeighboursWhole(report, neighbours);
    expect(report.summary).toMatchObject({ succeeded: neighbours.size, failed: 1 });
  }, 120_000);

  it.runIf(dialects.includes("postgres"))("an engine that shares a thread and still ends it (out of memory) fails alone; transactional neighbours in its thread are retried and succeed", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    p.write("big/.keep", "");
    p.write("ok/001_t.sql", "CREATE TABLE t (id INT);\nSELECT pg_sleep(0.3);\nINSERT INTO t VALUES (1);\n");
    // Declared to run no user code, so it shares the one thread with the raw databases.
    const databases: Record<string, unknown> = { big: { connection_env: "BIG", migrations: { engine: "crash-shared", path: "./big", how: "oom", after_ms: 100 } } };
    const env: Record<string, string> = { BIG: (await database("postgres", p.dir)).url };
    const good: TestDatabase[] = [];
    for (let i = 0; i < 4; i++) {
      const db = await database("postgres", p.dir);
      good.push(db);
      env[`OK${i}`] = db.url;
      databases[`ok${i}`] = { connection_env: `OK${i}`, migrations: { engine: "raw", path: "./ok" } };
    }
    const file = p.write("stagecraft.yml", stringify({ plugins: [RUNNER_PLUGIN], databases }));
    const report = await runAll(file, { env, sharedThreads: 1, concurrency: 8, workerMemoryMb: 64 });
    expect(report.databases[0]?.error?.message).toMatch(/^database big: the worker thread running engine crash-shared died during migration 001_crash: .*memory/);
    expect(report.databases.slice(1).map((d) => [d.name, d.status, d.applied])).toEqual(good.map((_, i) => [`ok${i}`, "succeeded", ["001_t"]]));
    for (const db of good) expect(await db.query("SELECT id FROM t")).toEqual([{ id: 1 }]);
  }, 120_000);

  it.runIf(dialects.includes("postgres"))("a built-in SQL engine keeps no rows and only the start of a huge server message, so neither fills its thread", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    p.write("rows/001_rows.sql", "SELECT repeat('x', 1000000) FROM generate_series(1, 400);\n");
    p.write("message/001_message.sql", "DO $$ BEGIN RAISE EXCEPTION '%', repeat('x', 50000000); END $$;\n");
    const env = { ROWS: (await database("postgres", p.dir)).url, MESSAGE: (await database("postgres", p.dir)).url };
    const file = p.write("stagecraft.yml", stringify({ databases: {
      rows: { connection_env: "ROWS", migrations: { engine: "raw", path: "./rows" } },
      message: { connection_env: "MESSAGE", migrations: { engine: "raw", path: "./message" } },
    } }));
    const report = await runAll(file, { env, workerMemoryMb: 64 });
    const [message, rows] = report.databases;
    expect([rows?.name, rows?.status, rows?.applied]).toEqual(["rows", "succeeded", ["001_rows"]]);
    expect([message?.name, message?.status, message?.error?.kind]).toEqual(["message", "failed", "migration_failed"]);
    expect(message!.error!.message.length).toBeLessThan(5_000);
    expect(message!.error!.message).toMatch(/xxxx… \(\d+ more characters\)$/);
  }, 120_000);

  it("the CLI reports crashes, exits 2 and does not hang", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    p.write("migrations/001_t.sql", "CREATE TABLE t (id INT);\n");
    const databases: Record<string, unknown> = { good: { connection_env: "GOOD", migrations: { engine: "raw", path: "./migrations" } } };
    for (const behaviour of ["throw", "exit", "uncaught", "hang"]) {
      databases[behaviour] = { connection_env: "BAD", migrations: { engine: "fixture", path: "./migrations", behaviour, ...(behaviour === "hang" ? { migration_timeout_ms: 500 } : {}) } };
    }
    p.write("stagecraft.yml", stringify({ plugins: [PLUGIN], databases }));
    const result = await runCli(["migrate", "--json"], p.dir, { GOOD: "sqlite:./good.db", BAD: "sqlite::memory:" });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.summary).toMatchObject({ succeeded: 1, failed: 4 });
    expect(report.databases.find((d) => d.name === "hang")?.error).toMatchObject({ kind: "migration_timeout", migration: "001_fixture" });
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
