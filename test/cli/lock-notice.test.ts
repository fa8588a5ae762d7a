import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { runAll, type RunnerEvents } from "../helpers/stagecraft.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type TestDatabase } from "../helpers/servers.js";

const dialects = await availableDialects();
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve("better-sqlite3");
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Holds the raw engine's migration lock on `db` from another session, as a concurrent run would;
 * on SQLite from another process (holder.mjs), which takes the lock file's write lock.
 */
async function holdRawLock(db: TestDatabase, dir: string): Promise<() => Promise<void>> {
  if (db.dialect === "sqlite") {
    const script = join(dir, "holder.mjs");
    writeFileSync(script, `import Database from ${JSON.stringify(BETTER_SQLITE3)};\nconst db = new Database(process.argv[2] + "-stagecraft-lock");\ndb.exec("BEGIN IMMEDIATE");\nconsole.log("held");\nsetInterval(() => {}, 1000);\n`);
    const child = spawn(process.execPath, [script, db.url.slice("sqlite:".length)], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((resolve, reject) => {
      child.stdout.once("data", resolve);
      child.once("exit", reject);
    });
    return async () => void child.kill("SIGKILL");
  }
  if (db.dialect === "postgres") {
    const key = createHash("sha256").update("stagecraft:.stagecraft_migrations").digest().readBigInt64BE(0).toString();
    const client = new pg.Client({ connectionString: db.url, application_name: "other-deploy" });
    await client.connect();
    await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
    return async () => void (await client.end());
  }
  const conn = await mysql.createConnection({ uri: db.url });
  await conn.query("SELECT GET_LOCK(?, 1)", [`stagecraft:${db.name}:.stagecraft_migrations`]);
  return async () => void (await conn.end());
}

/** How each dialect names the session or process holding the lock. */
const HOLDER: Record<string, RegExp> = {
  sqlite: /held by process \d+ on this machine \(node holder\.mjs\)/,
  postgres: /held by pid \d+ \(other-deploy from 127\.0\.0\.1, connected since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/,
  mysql: /held by connection \d+ \(root@[\w.:-]+, \d+ s in its current state\)/,
};

describeDialects("a run waiting for the migration lock on %s", dialects, (dialect) => {
  it("says so after a second, naming the lock, the target and the holder, then times out as configured", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(() => db.drop());
    p.write("m/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./m", lock_timeout_ms: 5_000 } } } }));
    cleanups.push(await holdRawLock(db, p.dir));
    const result = await runCli(["migrate"], p.dir, { DB: db.url });
    expect(result.code).toBe(2);
    const line = result.stderr.split("\n").find((l) => l.startsWith("main: waiting for the migration lock"));
    expect(line).toContain(`main: waiting for the migration lock "stagecraft_migrations" on ${db.url}, held by `);
    expect(line).toMatch(HOLDER[dialect]!);
    expect(line).toMatch(/ \(up to lock_timeout_ms, 5000 ms\)$/);
    expect(result.stdout).toMatch(/error \[lock_timeout\] database main: timed out after 5000 ms waiting for (the )?migration lock/);
    // Said once per wait, before the outcome.
    expect(result.stderr.split("waiting for the migration lock").length).toBe(2);
    expect(result.stderr.indexOf("waiting for the migration lock")).toBeLessThan(result.stderr.indexOf("main: failed [lock_timeout]"));
  });

  it("runAll with only a lock:waiting listener gets the event, holders included", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(() => db.drop());
    p.write("m/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./m", lock_timeout_ms: 3_000 } } } }));
    cleanups.push(await holdRawLock(db, p.dir));
    const waits: RunnerEvents["lock:waiting"][] = [];
    const report = await runAll(join(p.dir, "stagecraft.yml"), { env: { DB: db.url }, on: { "lock:waiting": (e) => void waits.push(e) } });
    expect(report.databases[0]).toMatchObject({ status: "failed", error: { kind: "lock_timeout" } });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ database: "main", target: db.url, timeoutMs: 3000 });
    expect(`held by ${waits[0]!.holders!.join(", ")}`).toMatch(HOLDER[dialect]!);
  });
});
