import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BlackHoleProxy, type StallTrigger } from "../helpers/black-hole-proxy.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, mysqlAdmin, pgAdmin, type Dialect, type TestDatabase } from "../helpers/servers.js";
import { runAll, type RunReport } from "../helpers/stagecraft.js";

type ServerDialect = Exclude<Dialect, "sqlite">;
const dialects = (await availableDialects()).filter((d): d is ServerDialect => d !== "sqlite");

/** Small on purpose, so each stall resolves in seconds; the defaults are 10 s and 30 s. */
const CONNECT_TIMEOUT_MS = 2_000;
const STALL_TIMEOUT_MS = 2_000;
/**
 * docs/guarantees.md: a stalled database ends within stall_timeout_ms + connect_timeout_ms + 1 s
 * when the server cannot be reached, and + 2 s + 2 × connect_timeout_ms more when it can (ask
 * again, end the session).
 */
const BOUND_MS = STALL_TIMEOUT_MS + 3 * CONNECT_TIMEOUT_MS + 3_000;
/** Room for a loaded machine; a hang (what this guards against) never ends at all. */
const SLACK_MS = 8_000;

const SERVER = { postgres: { host: "127.0.0.1", port: 5432 }, mysql: { host: "127.0.0.1", port: 3306 } };

/** What each phase's request looks like on the wire. */
const PHASES: Record<ServerDialect, Record<string, StallTrigger>> = {
  postgres: {
    lock: { pattern: "pg_try_advisory_lock", forward: true },
    bookkeeping: { pattern: 'INSERT INTO "stagecraft_migrations"' },
    statement: { pattern: "'stalled statement'", forward: true },
    commit: { pattern: "COMMIT", forward: true },
  },
  // No commit phase on MySQL: the raw engine sends no COMMIT there (DDL commits on its own, and
  // each bookkeeping write is one autocommitted statement).
  mysql: {
    lock: { pattern: "GET_LOCK", forward: true },
    bookkeeping: { pattern: "UPDATE `stagecraft_migrations` SET finished_at" },
    statement: { pattern: "'stalled statement'", forward: true },
  },
};

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(dialects)("a black-holed connection to %s", (dialect) => {
  const project = tempProject();
  beforeAll(() => {
    project.write("migrations/001_stall.sql", "CREATE TABLE stall_t (id INT, note VARCHAR(40));\nINSERT INTO stall_t VALUES (1, 'stalled statement');\n");
    // A session the server never times out (PostgreSQL before 14, a pooler that drops the settings).
    const noLease = dialect === "postgres" ? "SET idle_in_transaction_session_timeout = 0;\nSET idle_session_timeout = 0;\n" : "SET SESSION wait_timeout = 28800;\n";
    project.write("no-lease/001_stall.sql", `${noLease}CREATE TABLE stall_t (id INT, note VARCHAR(40));\nINSERT INTO stall_t VALUES (1, 'stalled statement');\n`);
    project.write("slow/001_slow.sql", dialect === "postgres" ? "SELECT pg_sleep(6);\n" : "SELECT SLEEP(6);\n");
  });
  afterAll(() => project.cleanup());

  async function setUp(engine = "raw", migrations = "./migrations"): Promise<{ db: TestDatabase; proxy: BlackHoleProxy; run: () => Promise<RunReport> }> {
    const db = await createDatabase(dialect, project.dir);
    const proxy = await BlackHoleProxy.start(SERVER[dialect].host, SERVER[dialect].port);
    cleanups.push(db.drop, () => proxy.close());
    const file = project.write(`${db.name}.yml`, stringify({ databases: { main: { connection_env: "DB", migrations: { engine, path: migrations, connect_timeout_ms: CONNECT_TIMEOUT_MS, stall_timeout_ms: STALL_TIMEOUT_MS, lock_timeout_ms: 5_000 } } } }));
    return { db, proxy, run: () => runAll(file, { env: { DB: proxy.url(db.url) } }) };
  }

  function expectGaveUp(report: RunReport, pattern: RegExp): void {
    const entry = report.databases[0]!;
    expect(entry.status).toBe("failed");
    expect(entry.error?.kind).toBe("connection_failed");
    expect(entry.error?.message).toMatch(pattern);
    expect(entry.durationMs).toBeLessThan(BOUND_MS + SLACK_MS);
  }

  it("connect: a server that accepts and never answers fails after one connect timeout, not two", async () => {
    const { proxy, run } = await setUp();
    proxy.stallAll();
    const report = await run();
    expectGaveUp(report, /cannot connect to .*: no answer within 2000 ms \(connect_timeout_ms\)/);
    expect(report.databases[0]!.error?.hint).toContain("connect_timeout_ms");
    // One attempt: the failed database is not planned again over a second connection.
    expect(proxy.accepted).toBe(1);
  }, 60_000);

  it.each(Object.keys(PHASES[dialect]))("%s: the run ends within the bound and the server has freed the lock", async (phase) => {
    const { db, proxy, run } = await setUp();
    const fired = proxy.stallOn(PHASES[dialect][phase]!);
    const report = await run();
    await fired;
    expectGaveUp(report, /gave up the connection to .* while .*: no answer for 2000 ms, and a new connection to the server failed/);
    expect(await lockHolders(dialect, db)).toEqual([]);
    // Nothing half-done goes unnoticed: the next run (straight to the server) finishes the work,
    // or — MySQL, where a migration cut short stays recorded — says what blocks it.
    const next = await runAll(project.write(`${db.name}-direct.yml`, stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./migrations" } } } })), { env: { DB: db.url } });
    const entry = next.databases[0]!;
    if (entry.status === "failed") {
      expect(dialect).toBe("mysql");
      expect(entry.error?.message).toMatch(/did not finish/);
    } else {
      expect(entry.status).toBe("succeeded");
      expect(await db.query("SELECT id FROM stall_t")).toEqual([{ id: 1 }]);
    }
  }, 60_000);

  it("a long statement is not a stall: the server says it is running, and the run waits for it", async () => {
    const { run } = await setUp("raw", "./slow");
    const report = await run();
    expect(report.databases[0]!.error).toBeUndefined();
    expect(report.databases[0]!.applied).toEqual(["001_slow"]);
  }, 60_000);

  it("only our connection stalls, on a session the server would keep forever: stagecraft sees it idle, ends it, and the lock is free at once", async () => {
    const { db, proxy, run } = await setUp("raw", "./no-lease");
    const fired = proxy.stallOn({ ...PHASES[dialect].statement!, scope: "existing" });
    const report = await run();
    await fired;
    expectGaveUp(report, /server shows the session idle .*; the session was ended on the server/);
    expect(await lockHolders(dialect, db, 0)).toEqual([]);
  }, 60_000);

  it("knex: connect and statement stalls are bounded too", async () => {
    project.write("knex/001_stall.cjs", "exports.up = async (knex) => { await knex.raw(\"CREATE TABLE knex_stall_t (id INT, note VARCHAR(40))\"); await knex.raw(\"INSERT INTO knex_stall_t VALUES (1, 'stalled statement')\"); };\nexports.down = async () => {};\n");
    const connect = await setUp("knex", "./knex");
    connect.proxy.stallAll();
    expectGaveUp(await connect.run(), /cannot connect to .*: no answer within 2000 ms/);
    const statement = await setUp("knex", "./knex");
    const fired = statement.proxy.stallOn(PHASES[dialect].statement!);
    const report = await statement.run();
    await fired;
    expectGaveUp(report, /gave up the connection to .* while running a knex query/);
    expect(await lockHolders(dialect, statement.db)).toEqual([]);
  }, 90_000);
});

/**
 * Sessions still holding a stagecraft lock on the test database (asked straight, not through
 * the proxy). The server drops a cut-off session after stall_timeout_ms of silence, which is
 * over before the run ends; `waitMs` only absorbs a slow server on a loaded machine.
 */
async function lockHolders(dialect: ServerDialect, db: TestDatabase, waitMs = 5_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const holders = dialect === "postgres"
      ? (await pgAdmin("SELECT l.pid::text AS who FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = $1", [db.name])).map((r) => String(r.who))
      : (await mysqlAdmin("SELECT ID AS who FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", [db.name])).map((r) => String(r.who));
    if (holders.length === 0 || Date.now() >= deadline) return holders;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
