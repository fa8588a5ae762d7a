import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, pgAdmin, type TestDatabase } from "../helpers/servers.js";
import { Registry, createRunner, defaultAloneThreads, defaultRegistry, loadConfig, planAll, runAll, type Engine, type RunnerEvents } from "../helpers/stagecraft.js";

const dialects = await availableDialects();
const PLUGIN = fileURLToPath(new URL("../fixtures/plugins/fixture-engines.mjs", import.meta.url));
const RUNNER_PLUGIN = fileURLToPath(new URL("../fixtures/plugins/runner-engines.mjs", import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface FleetDb {
  name: string;
  url: string;
  engine?: string;
  settings?: Record<string, unknown>;
}

/** A project whose databases share one raw migrations folder (or use the fixture engine). */
function fleet(dbs: FleetDb[], files: Record<string, string> = { "001_init.sql": "CREATE TABLE t (id INT);\nINSERT INTO t VALUES (1);", "002_more.sql": "CREATE TABLE u (id INT);" }) {
  const project = tempProject();
  cleanups.push(project.cleanup);
  for (const [name, text] of Object.entries(files)) project.write(`migrations/${name}`, text);
  const env: Record<string, string> = {};
  const databases: Record<string, unknown> = {};
  for (const db of dbs) {
    const envName = `URL_${db.name.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}`;
    env[envName] = db.url;
    databases[db.name] = { connection_env: envName, migrations: { engine: db.engine ?? "raw", path: "./migrations", ...db.settings } };
  }
  const file = project.write("stagecraft.yml", stringify({ plugins: [PLUGIN, RUNNER_PLUGIN], databases }));
  return { file, env, dir: project.dir };
}

async function serverDb(dialect: "postgres" | "mysql", dir: string): Promise<TestDatabase> {
  const db = await createDatabase(dialect, dir);
  cleanups.push(db.drop);
  return db;
}

describe("runAll / planAll", () => {
  it("migrates 200 SQLite databases in one call; the report is sorted and complete", async () => {
    const dbs = Array.from({ length: 200 }, (_, i) => ({ name: `tenant_${String(i).padStart(3, "0")}`, url: `sqlite:./data/t${i}.db` }));
    const { file, env } = fleet(dbs);
    const report = await runAll(file, { env });
    expect(report.ok).toBe(true);
    expect(report.summary).toEqual({ total: 200, planned: 0, succeeded: 200, failed: 0, skipped: 0, cancelled: 0 });
    expect(report.databases.map((d) => d.name)).toEqual(dbs.map((d) => d.name));
    expect(report.databases.every((d) => d.applied.join() === "001_init,002_more" && d.migrations.every((m) => m.applied))).toBe(true);
    const again = await runAll(file, { env });
    expect(again.databases.every((d) => d.applied.length === 0)).toBe(true);
  });

  it("plans are byte-identical across runs of the same state", async () => {
    const { file, env } = fleet(Array.from({ length: 20 }, (_, i) => ({ name: `db${i}`, url: `sqlite:./data/d${i}.db` })));
    await runAll(file, { env, databases: ["db3", "db7"] });
    const first = JSON.stringify(await planAll(file, { env }));
    const second = JSON.stringify(await planAll(file, { env, concurrency: 3, maxThreads: 1 }));
    expect(second).toBe(first);
    expect(first).not.toContain("durationMs");
  });

  it.runIf(dialects.includes("postgres") && dialects.includes("mysql"))("migrates SQLite, PostgreSQL and MySQL databases in one call", async () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    const pgDb = await serverDb("postgres", project.dir);
    const myDb = await serverDb("mysql", project.dir);
    const { file, env } = fleet([{ name: "lite", url: "sqlite:./lite.db" }, { name: "pg", url: pgDb.url }, { name: "my", url: myDb.url }]);
    const report = await runAll(file, { env });
    expect(report.databases.map((d) => [d.name, d.status, d.applied.length])).toEqual([["lite", "succeeded", 2], ["my", "succeeded", 2], ["pg", "succeeded", 2]]);
    expect(await pgDb.query("SELECT id FROM t")).toHaveLength(1);
    expect(await myDb.query("SELECT id FROM t")).toHaveLength(1);
  });

  it("one failing database does not stop the others; with failFast the rest are skipped", async () => {
    const dbs = Array.from({ length: 6 }, (_, i) => ({ name: `db${i}`, url: `sqlite:./data/d${i}.db` }));
    dbs[1] = { name: "db1", url: "sqlite:./data/d1.db", engine: "fixture", settings: { behaviour: "throw" } } as FleetDb;
    const { file, env } = fleet(dbs);
    const report = await runAll(file, { env, concurrency: 1 });
    expect(report.ok).toBe(false);
    expect(report.databases.map((d) => d.status)).toEqual(["succeeded", "failed", "succeeded", "succeeded", "succeeded", "succeeded"]);
    expect(report.databases[1]?.error).toEqual({ kind: "internal", message: "database db1: fixture engine failed on purpose", database: "db1" });

    const fast = fleet(dbs);
    const stopped = await runAll(fast.file, { env: fast.env, concurrency: 1, failFast: true });
    expect(stopped.databases.map((d) => d.status)).toEqual(["succeeded", "failed", "skipped", "skipped", "skipped", "skipped"]);
    expect(stopped.summary).toEqual({ total: 6, planned: 0, succeeded: 1, failed: 1, skipped: 4, cancelled: 0 });
  });

  it("runs a custom engine from a plugin module in a worker thread", async () => {
    const { file, env } = fleet([{ name: "custom", url: "sqlite::memory:", engine: "fixture" }]);
    const report = await runAll(file, { env });
    expect(report.databases[0]).toMatchObject({ status: "succeeded", applied: ["001_fixture"], migrations: [{ id: "001_fixture", description: "thread worker" }] });
  });

  it("rejects an engine registered only in the main thread, and runs it in-process when asked", async () => {
    const registry = new Registry();
    const local: Engine = { id: "main-only", plan: async () => [{ id: "x", description: "x", applied: true }], run: async () => ({ applied: [] }) };
    registry.register(local);
    defaultRegistry.register(local);
    const project = tempProject();
    cleanups.push(project.cleanup);
    project.write("m/.keep", "");
    const file = project.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "U", migrations: { engine: "main-only", path: "./m" } } } }));
    const config = await loadConfig(file, { registry });
    const report = await planAll(config, { env: { U: "sqlite::memory:" } });
    expect(report.databases[0]?.error?.message).toBe('database main: engine "main-only" is not registered in the worker thread; available there: [drizzle, knex, prisma, raw]');
    expect(report.databases[0]?.error?.hint).toContain("put it in a module listed under `plugins:`");
    const inProcess = await planAll(config, { env: { U: "sqlite::memory:" }, inProcess: true });
    expect(inProcess.databases[0]).toMatchObject({ status: "planned", migrations: [{ id: "x" }] });
  });

  it.each([
    ["exit", "the worker thread running engine fixture died"],
    ["uncaught", "the worker thread running engine fixture died during migration 001_fixture: fixture engine crashed its thread"],
  ])("a %s in one engine fails only that database; the pool replaces the thread", async (behaviour, message) => {
    const dbs: FleetDb[] = Array.from({ length: 8 }, (_, i) => ({ name: `db${i}`, url: `sqlite:./data/d${i}.db` }));
    dbs[3] = { name: "db3", url: "sqlite::memory:", engine: "fixture", settings: { behaviour } };
    const { file, env } = fleet(dbs);
    const report = await runAll(file, { env, maxThreads: 2 });
    expect(report.databases.filter((d) => d.status === "succeeded").map((d) => d.name)).toEqual(["db0", "db1", "db2", "db4", "db5", "db6", "db7"]);
    expect(report.databases[3]?.error?.kind).toBe("internal");
    expect(report.databases[3]?.error?.message).toContain(message);
  });

  it("stops a migration that runs past migration_timeout_ms and finishes the others", async () => {
    const { file, env } = fleet([
      { name: "hangs", url: "sqlite::memory:", engine: "fixture", settings: { behaviour: "hang", migration_timeout_ms: 300 } },
      { name: "fine", url: "sqlite:./fine.db" },
    ]);
    const report = await runAll(file, { env });
    expect(report.databases.map((d) => d.status)).toEqual(["succeeded", "failed"]);
    expect(report.databases[1]?.error).toMatchObject({ kind: "migration_timeout", migration: "001_fixture" });
    expect(report.databases[1]?.error?.message).toBe("database hangs: migration 001_fixture ran longer than migration_timeout_ms (300 ms); its worker thread was stopped and its connection closed");
  });

  it("cancellation: running databases finish, the rest are cancelled, every database stays consistent", async () => {
    const dbs = Array.from({ length: 12 }, (_, i) => ({ name: `db${String(i).padStart(2, "0")}`, url: `sqlite:./data/d${i}.db` }));
    const { file, env } = fleet(dbs);
    const controller = new AbortController();
    let done = 0;
    const report = await runAll(file, { env, concurrency: 2, signal: controller.signal, on: { "database:done": () => ++done === 3 && controller.abort() } });
    const byStatus = (s: string) => report.databases.filter((d) => d.status === s);
    expect(byStatus("succeeded").length).toBeGreaterThanOrEqual(3);
    expect(byStatus("cancelled").length).toBeGreaterThan(0);
    expect(byStatus("failed")).toEqual([]);
    expect(report.ok).toBe(false);
    for (const db of byStatus("succeeded")) expect(db.applied).toEqual(["001_init", "002_more"]);
    // A database cancelled between its migrations keeps the ones it finished, each whole, and says so.
    const plan = await planAll(file, { env });
    for (const db of plan.databases) {
      const applied = db.migrations.filter((m) => m.applied).map((m) => m.id);
      expect([[], ["001_init"], ["001_init", "002_more"]]).toContainEqual(applied);
      expect(report.databases.find((d) => d.name === db.name)?.applied).toEqual(applied);
    }
  });

  it("emits typed lifecycle events", async () => {
    const { file, env } = fleet([{ name: "a", url: "sqlite:./a.db" }, { name: "b", url: "sqlite:./b.db" }]);
    const events: string[] = [];
    const on = {
      "database:start": (e: RunnerEvents["database:start"]) => events.push(`start ${e.database} ${e.engine}`),
      "migration:start": (e: RunnerEvents["migration:start"]) => events.push(`m-start ${e.database} ${e.migration}`),
      "migration:applied": (e: RunnerEvents["migration:applied"]) => events.push(`m-done ${e.database} ${e.migration}`),
      "database:done": (e: RunnerEvents["database:done"]) => events.push(`done ${e.database} ${e.report.status}`),
    };
    await runAll(file, { env, on, concurrency: 1 });
    expect(events).toEqual([
      "start a raw", "m-start a 001_init", "m-done a 001_init", "m-start a 002_more", "m-done a 002_more", "done a succeeded",
      "start b raw", "m-start b 001_init", "m-done b 001_init", "m-start b 002_more", "m-done b 002_more", "done b succeeded",
    ]);
  });

  it("database:done hands out each database's final report: in a plan the same object as the returned report's, status planned", async () => {
    // Eight databases: more than a plan runs in the calling thread, so they go to worker threads.
    const { file, env } = fleet(Array.from({ length: 8 }, (_, i) => ({ name: `db${i}`, url: i === 5 ? "" : `sqlite:./data/d${i}.db` })));
    const done = new Map<string, RunnerEvents["database:done"]["report"]>();
    const report = await planAll(file, { env, on: { "database:done": (e) => void done.set(e.database, e.report) } });
    expect(report.databases.map((d) => [d.name, d.status])).toEqual(Array.from({ length: 8 }, (_, i) => [`db${i}`, i === 5 ? "failed" : "planned"]));
    for (const db of report.databases) expect(done.get(db.name)).toBe(db);
    expect(report.summary).toEqual({ total: 8, planned: 7, succeeded: 0, failed: 1, skipped: 0, cancelled: 0 });
  });

  it("worker threads keep a young generation of 2 MiB per semi-space (V8 grows it to 16 by default)", async () => {
    const { file, env } = fleet([{ name: "a", url: "sqlite:./a.db", engine: "young-generation" }]);
    // In the calling thread the young generation grows as Node lets it; in a worker it stays small.
    const here = await planAll(file, { env, inProcess: true });
    const worker = await planAll(file, { env, inProcess: false });
    const kib = (report: typeof here): number => Number(report.databases[0]!.migrations[0]!.description);
    // The control: enough allocation to grow a young generation left to Node's defaults (unless this process was started with a limit of its own).
    if (!`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`.includes("semi-space")) expect(kib(here)).toBeGreaterThan(8 * 1024);
    expect(kib(worker)).toBeLessThanOrEqual(4 * 1024);
  });

  it("a missing connection variable or an unusable URL fails that database with a message naming the variable", async () => {
    const { file } = fleet([{ name: "unset", url: "" }, { name: "scheme", url: "" }, { name: "fine", url: "" }]);
    const report = await runAll(file, { env: { URL_SCHEME: "oracle://u:secretpw@host/db", URL_FINE: "sqlite::memory:" } });
    expect(report.databases.map((d) => [d.name, d.status])).toEqual([["fine", "succeeded"], ["scheme", "failed"], ["unset", "failed"]]);
    expect(report.databases[2]?.error).toEqual({ kind: "invalid_config", database: "unset", message: "database unset: environment variable URL_UNSET is not set (connection_env of databases.unset)", hint: "set URL_UNSET to the database's connection URL" });
    expect(report.databases[1]?.error?.message).toBe('database scheme: the connection URL in $URL_SCHEME is unusable: scheme "oracle:" is not supported; use postgres://, postgresql://, mysql://, mariadb://, sqlite:<path> or file:<path>');
    expect(JSON.stringify(report)).not.toContain("secretpw");
  });

  it("selects databases by name or strategy, and rejects an unknown name", async () => {
    const { file, env } = fleet([
      { name: "pre", url: "sqlite:./pre.db" },
      { name: "post", url: "sqlite:./post.db", settings: { strategy: "post_deploy" } },
      { name: "manual", url: "sqlite:./manual.db", settings: { strategy: "manual" } },
    ]);
    expect((await planAll(file, { env })).databases.map((d) => d.name)).toEqual(["post", "pre"]);
    expect((await planAll(file, { env, strategies: ["post_deploy"] })).databases.map((d) => d.name)).toEqual(["post"]);
    expect((await planAll(file, { env, databases: ["manual"] })).databases.map((d) => d.name)).toEqual(["manual"]);
    await expect(planAll(file, { env, databases: ["nope"] })).rejects.toThrow("no database named nope; defined: [manual, post, pre]");
  });

  it.runIf(dialects.includes("postgres"))("never holds more than perServerLimit connections to one server (counted at the server)", async () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    const dbs: FleetDb[] = [];
    const names: string[] = [];
    for (let i = 0; i < 8; i++) {
      const db = await serverDb("postgres", project.dir);
      names.push(db.name);
      dbs.push({ name: `pg${i}`, url: db.url });
    }
    const { file, env } = fleet(dbs, { "001_slow.sql": "SELECT pg_sleep(0.4);\nCREATE TABLE t (id INT);" });
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // Only this test's databases: other suites run stagecraft sessions on the same server.
        const [row] = await pgAdmin("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'stagecraft' AND datname = ANY($1)", [names]);
        peak = Math.max(peak, Number(row?.n));
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const report = await runAll(file, { env, concurrency: 8, perServerLimit: 2 });
    sampling = false;
    await sampler;
    expect(report.summary.succeeded).toBe(8);
    expect(peak).toBe(2);
  });

  it("delivers every progress event: 2,000 databases × 5 migrations, each database's events before its done", async () => {
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`00${i + 1}_t.sql`, `CREATE TABLE t${i} (id INT);`]));
    const { file, env } = fleet(Array.from({ length: 2000 }, (_, i) => ({ name: `db${String(i).padStart(4, "0")}`, url: "sqlite::memory:" })), files);
    const seen = new Map<string, { started: number; applied: number; done: boolean; late: number }>();
    const row = (database: string) => seen.get(database) ?? seen.set(database, { started: 0, applied: 0, done: false, late: 0 }).get(database)!;
    let starts = 0;
    let applied = 0;
    const report = await runAll(file, {
      env,
      on: {
        "database:start": (e) => void starts++,
        "migration:start": (e) => void (row(e.database).done ? row(e.database).late++ : row(e.database).started++),
        "migration:applied": (e) => {
          applied++;
          if (row(e.database).done) row(e.database).late++;
          else row(e.database).applied++;
        },
        "database:done": (e) => void (row(e.database).done = true),
      },
    });
    expect(report.summary.succeeded).toBe(2000);
    expect({ starts, applied }).toEqual({ starts: 2000, applied: 10_000 });
    const incomplete = [...seen].filter(([, r]) => r.started !== 5 || r.applied !== 5 || r.late !== 0 || !r.done);
    expect(incomplete).toEqual([]);
  }, 180_000);

  it("database:start comes when a worker begins the database, not while it waits for a thread", async () => {
    const dbs = Array.from({ length: 6 }, (_, i) => ({ name: `db${i}`, url: "sqlite::memory:", engine: "thread", settings: { delay_ms: 150 } }));
    const { file, env } = fleet(dbs);
    let running = 0;
    let peak = 0;
    const report = await runAll(file, {
      env, maxThreads: 1, concurrency: 4,
      on: { "database:start": () => void (peak = Math.max(peak, ++running)), "database:done": () => void running-- },
    });
    expect(report.summary.succeeded).toBe(6);
    expect(peak).toBe(1);
  });

  it("SQLite runs that commit once per database, and plans, get one thread per core; runs that commit per migration get more", async () => {
    const cores = availableParallelism();
    // Enough databases for every thread the default allows (eight per thread), each slow enough that all of them get work.
    const dbs = (once: boolean) => Array.from({ length: 8 * defaultAloneThreads(cores) + 1 }, (_, i) => ({ name: `db${i}`, url: "sqlite::memory:", engine: "thread-once", settings: { delay_ms: 50, plan_delay_ms: 50, once } }));
    const threadsOf = async (call: typeof runAll, once: boolean) => {
      const { file, env } = fleet(dbs(once));
      const report = await call(file, { env });
      expect(report.summary.succeeded + report.summary.planned).toBe(report.summary.total);
      return new Set(report.databases.map((d) => d.migrations[0]?.description)).size;
    };
    // The control shows the fleet is big and slow enough for more threads than cores to take part
    // (without the cap the next two counts are 2 × cores). On a large machine that means hundreds of
    // threads: there the rule is left to test/unit/thread-demand.test.ts.
    if (cores <= 4) expect(await threadsOf(runAll, false)).toBeGreaterThan(cores);
    expect(await threadsOf(runAll, true)).toBeLessThanOrEqual(cores);
    expect(await threadsOf(planAll, false)).toBeLessThanOrEqual(cores);
  });

  it("a kept runner reuses its warm threads across calls, and refuses calls once closed", async () => {
    const { file, env } = fleet([{ name: "a", url: "sqlite::memory:", engine: "thread" }, { name: "b", url: "sqlite::memory:", engine: "thread" }]);
    const runner = createRunner({ maxThreads: 1 });
    const threads = async (call: Promise<Awaited<ReturnType<typeof planAll>>>) => (await call).databases.map((d) => d.migrations[0]?.description);
    const first = await threads(runner.plan(file, { env }));
    const second = await threads(runner.run(file, { env }));
    const third = await threads(runner.plan(file, { env, concurrency: 1 }));
    expect(first).toHaveLength(2);
    expect(new Set([...first, ...second, ...third]).size).toBe(1);
    expect(first[0]).not.toBe("0");
    // Closing lets a running call finish on the threads it uses.
    const running = runner.run(file, { env, databases: ["a"] });
    await runner[Symbol.asyncDispose]();
    expect((await running).summary.succeeded).toBe(1);
    await expect(runner.plan(file, { env })).rejects.toThrow("this runner is closed; create another one");
  });

  it("plans a small fleet in this thread; a run, and any engine that runs user code, in worker threads", async () => {
    const { file, env } = fleet([{ name: "a", url: "sqlite::memory:", engine: "thread-sql" }, { name: "custom", url: "sqlite::memory:", engine: "thread" }]);
    const threadOf = (report: Awaited<ReturnType<typeof planAll>>) => report.databases[0]?.migrations[0]?.description;
    expect(threadOf(await planAll(file, { env, databases: ["a"] }))).toBe("0");
    expect(threadOf(await runAll(file, { env, databases: ["a"] }))).not.toBe("0");
    expect(threadOf(await planAll(file, { env, databases: ["custom"] }))).not.toBe("0");
    expect(threadOf(await planAll(file, { env, databases: ["a"], inProcess: false }))).not.toBe("0");
  });

  it.each([
    ["run() resolving to applied: \"nope\"", { run: { applied: "nope" } }, 'engine garbage returned an invalid result from run(): applied must be an array of migration IDs (strings); got "nope"'],
    ["run() resolving to nothing", { run: null }, "engine garbage returned an invalid result from run(): must resolve to an object { applied: string[] }; got null"],
    ["plan() listing a migration without an id", { run: { applied: [] }, plan: [{ description: "x", applied: false }] }, "engine garbage returned an invalid result from plan(): migration [0].id must be a non-empty string; got undefined"],
    ["plan() with applied as a string", { run: { applied: [] }, plan: [{ id: "001", description: "x", applied: "yes" }] }, 'engine garbage returned an invalid result from plan(): migration [0] (001).applied must be true or false; got "yes"'],
    ["plan() listing a migration twice", { run: { applied: [] }, plan: [{ id: "001", description: "x", applied: false }, { id: "001", description: "y", applied: false }] }, "engine garbage returned an invalid result from plan(): lists migration 001 twice"],
  ])("an engine whose %s fails its database with a message saying what is wrong", async (_, settings, message) => {
    const { file, env } = fleet([{ name: "bad", url: "sqlite::memory:", engine: "garbage", settings }, { name: "good", url: "sqlite::memory:" }]);
    const report = await runAll(file, { env });
    expect(report.databases.map((d) => [d.name, d.status])).toEqual([["bad", "failed"], ["good", "succeeded"]]);
    expect(report.databases[0]?.error).toMatchObject({ kind: "internal", message: `database bad: ${message}` });
    expect(report.databases[0]?.applied).toEqual([]);
  });

  it("cancellation stops a running database between migrations and starts no queued one", async () => {
    const dbs = Array.from({ length: 8 }, (_, i) => ({ name: `db${i}`, url: "sqlite::memory:", engine: "steps", settings: { count: 50, delay_ms: 20 } }));
    const { file, env } = fleet(dbs);
    const controller = new AbortController();
    const startedAfterAbort: string[] = [];
    let migrationsAfterAbort = 0;
    const report = await runAll(file, {
      env, maxThreads: 2, concurrency: 6, signal: controller.signal,
      on: {
        "database:start": (e) => void (controller.signal.aborted && startedAfterAbort.push(e.database)),
        "migration:start": (e) => {
          if (controller.signal.aborted) migrationsAfterAbort++;
          else if (e.migration === "m3") controller.abort();
        },
      },
    });
    // The two running databases stop after their current migration; the queued ones never start.
    expect(report.databases.filter((d) => d.status === "cancelled")).toHaveLength(8);
    expect(report.databases.filter((d) => d.applied.length > 0).length).toBeLessThanOrEqual(2);
    for (const db of report.databases) expect(db.applied.length).toBeLessThanOrEqual(5);
    expect(startedAfterAbort).toEqual([]);
    expect(migrationsAfterAbort).toBeLessThanOrEqual(1);
  });

  it("shares the migrations of one folder across the databases of a report", async () => {
    const { file, env } = fleet(Array.from({ length: 3 }, (_, i) => ({ name: `db${i}`, url: "sqlite::memory:" })));
    const plan = await planAll(file, { env, maxThreads: 2 });
    const [a, b, c] = plan.databases.map((d) => d.migrations[0]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
