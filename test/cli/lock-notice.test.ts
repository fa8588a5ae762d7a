import { createHash } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type TestDatabase } from "../helpers/servers.js";

const dialects = (await availableDialects()).filter((d) => d !== "sqlite");
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Holds the raw engine's migration lock on `db` from another session, as a concurrent run would. */
async function holdRawLock(db: TestDatabase): Promise<() => Promise<void>> {
  if (db.dialect === "postgres") {
    const key = createHash("sha256").update("stagecraft:.stagecraft_migrations").digest().readBigInt64BE(0).toString();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
    return async () => void (await client.end());
  }
  const conn = await mysql.createConnection({ uri: db.url });
  await conn.query("SELECT GET_LOCK(?, 1)", [`stagecraft:${db.name}:.stagecraft_migrations`]);
  return async () => void (await conn.end());
}

describeDialects("a run waiting for the migration lock on %s", dialects, (dialect) => {
  it("says so after a second, naming the lock and the target, then times out as configured", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(() => db.drop());
    p.write("m/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./m", lock_timeout_ms: 5_000 } } } }));
    cleanups.push(await holdRawLock(db));
    const result = await runCli(["migrate"], p.dir, { DB: db.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`main: waiting for the migration lock "stagecraft_migrations" on ${db.url}, held by another run (up to lock_timeout_ms, 5000 ms)\n`);
    expect(result.stdout).toContain("error [lock_timeout] database main: timed out after 5000 ms waiting for migration lock \"stagecraft_migrations\"");
    // Said once per wait, before the outcome.
    expect(result.stderr.split("waiting for the migration lock").length).toBe(2);
    expect(result.stderr.indexOf("waiting for the migration lock")).toBeLessThan(result.stderr.indexOf("main: failed [lock_timeout]"));
  });
});
