import { createHash } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type Dialect, type TestDatabase } from "../helpers/servers.js";
import { runAll } from "../helpers/stagecraft.js";

type ServerDialect = Exclude<Dialect, "sqlite">;
const dialects = (await availableDialects()).filter((d): d is ServerDialect => d !== "sqlite");

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The lock each engine takes, as the drivers name it. */
const LOCK_NAMES = { raw: ".stagecraft_migrations", knex: "knex:.knex_migrations" };

/** Holds stagecraft's migration lock `name` on `db` from another session, as a concurrent run would. */
async function holdLock(db: TestDatabase, name: string): Promise<{ id: string; release: () => Promise<void> }> {
  if (db.dialect === "postgres") {
    const key = createHash("sha256").update(`stagecraft:${name}`).digest().readBigInt64BE(0).toString();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return { id: String(rows[0]!.pid), release: async () => void (await client.end()) };
  }
  const conn = await mysql.createConnection({ uri: db.url });
  await conn.query("SELECT GET_LOCK(?, 1)", [`stagecraft:${db.name}:${name}`]);
  return { id: String(conn.threadId), release: async () => void (await conn.end()) };
}

/** Waits until a stagecraft session on `db` is waiting for the migration lock. */
async function waitUntilWaiting(db: TestDatabase): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const rows = db.dialect === "postgres"
      ? await db.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'stagecraft' AND query LIKE 'SELECT pg_try_advisory_lock%'")
      : await db.query("SELECT 1 FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'SELECT GET_LOCK%'");
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("stagecraft never started waiting for the lock");
}

describe.each(dialects)("lock waits on %s", (dialect) => {
  it.each(["raw", "knex"] as const)("Ctrl-C stops a %s run waiting for the lock at once (not after lock_timeout_ms): exit 130, cancelled", async (engine) => {
    const p = tempProject();
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(p.cleanup, db.drop);
    p.write("migrations/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("knex/001_a.cjs", "exports.up = (knex) => knex.schema.createTable('a', (t) => t.integer('id'));\nexports.down = () => {};\n");
    // Ten minutes: a run that sat out its lock timeout would outlive this test by far.
    p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine, path: engine === "raw" ? "./migrations" : "./knex", lock_timeout_ms: 600_000 } } } }));
    const holder = await holdLock(db, LOCK_NAMES[engine]);
    cleanups.push(holder.release);
    const run = startCli(["migrate", "--json"], p.dir, { DB: db.url });
    await waitUntilWaiting(db);
    run.child.kill("SIGINT");
    const result = await run.done;
    expect(result.code).toBe(130);
    const report = JSON.parse(result.stdout);
    expect(report.databases[0]).toMatchObject({ name: "main", status: "cancelled", applied: [] });
    expect(report.summary.cancelled).toBe(1);
  }, 60_000);

  it("a lock timeout names only holders in the same database, and shows the target with only the password masked", async () => {
    const p = tempProject();
    const [db, other] = [await createDatabase(dialect, p.dir), await createDatabase(dialect, p.dir)];
    cleanups.push(p.cleanup, db.drop, other.drop);
    p.write("migrations/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./migrations", lock_timeout_ms: 300 } } } }));
    // The same lock name in another database of the same server is another lock.
    const elsewhere = await holdLock(other, LOCK_NAMES.raw);
    const here = await holdLock(db, LOCK_NAMES.raw);
    cleanups.push(elsewhere.release, here.release);
    const target = new URL(db.url);
    // PostgreSQL's trust authentication ignores the password; MySQL's root has none to give.
    if (dialect === "postgres") target.password = "not-shown";
    const report = await runAll(`${p.dir}/stagecraft.yml`, { env: { DB: target.toString() } });
    const error = report.databases[0]!.error!;
    expect(error.kind).toBe("lock_timeout");
    const shown = dialect === "postgres" ? db.url.replace("postgres://postgres@", "postgres://postgres:***@") : db.url;
    expect(error.message).toContain(` on ${shown}; held by ${dialect === "postgres" ? "pid" : "connection"} ${here.id} (`);
    // The lock is named as the table it guards; MySQL adds the GET_LOCK name a DBA looks up.
    expect(error.message).toContain(dialect === "postgres" ? 'waiting for migration lock "stagecraft_migrations" on ' : 'waiting for migration lock "stagecraft_migrations" (server lock name "stagecraft:');
    expect(error.message).not.toContain(` ${elsewhere.id} (`);
    expect(error.message).not.toContain("not-shown");
  }, 60_000);
});
