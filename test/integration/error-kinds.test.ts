import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CLI } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type Dialect, type TestDatabase } from "../helpers/servers.js";
import { runAll, serializeError, type RunReport } from "../helpers/stagecraft.js";

type ServerDialect = Exclude<Dialect, "sqlite">;
const dialects = (await availableDialects()).filter((d): d is ServerDialect => d !== "sqlite");

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A project with one raw database; returns the config path. */
function rawProject(files: Record<string, string> = {}): ReturnType<typeof tempProject> & { config: string } {
  const p = tempProject();
  cleanups.push(p.cleanup);
  mkdirSync(join(p.dir, "migrations"), { recursive: true });
  for (const [name, text] of Object.entries(files)) p.write(`migrations/${name}`, text);
  const config = p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./migrations" } } } }));
  return { ...p, config };
}

const errorOf = (report: RunReport) => report.databases[0]!.error;

describe.each(dialects)("a dropped connection on %s", (dialect) => {
  it("is connection_failed with a hint, not internal or a SQL error", async () => {
    const p = rawProject({ "001_slow.sql": `CREATE TABLE dropped_t (id INT);\n${dialect === "postgres" ? "SELECT pg_sleep(30)" : "SELECT SLEEP(30)"};\n` });
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(db.drop);
    const running = runAll(p.config, { env: { DB: db.url } });
    await killSessionWhenSleeping(db);
    const error = errorOf(await running);
    expect(error?.kind).toBe("connection_failed");
    expect(error?.message).toMatch(/^database main: lost the connection to .* while running a statement: /);
    expect(error?.hint).toMatch(/rolled back where it ran in a transaction; a MySQL or no-transaction migration cut short is recorded as unfinished/);
  }, 60_000);
});

describe("machine failures get real kinds", () => {
  it("a malformed percent-escape in the password is invalid_config, not a URIError", async () => {
    const p = rawProject({ "001_a.sql": "SELECT 1;\n" });
    const error = errorOf(await runAll(p.config, { env: { DB: "postgres://app:pa%zzss@127.0.0.1:5432/db" } }));
    expect(error).toMatchObject({ kind: "invalid_config", message: "database main: the connection URL in $DB is unusable: the password holds a malformed percent-escape (a % not followed by two hex digits); write a literal % as %25" });
    expect(JSON.stringify(error)).not.toContain("zzss");
  });

  it("a migration file whose name is not UTF-8 is invalid_config naming the file", async () => {
    const p = rawProject({ "001_ok.sql": "CREATE TABLE ok_t (id INT);\n" });
    writeFileSync(Buffer.concat([Buffer.from(`${p.dir}/migrations/002_caf`), Buffer.from([0xe9]), Buffer.from(".sql")]), "SELECT 1;\n");
    const error = errorOf(await runAll(p.config, { env: { DB: `sqlite:${p.dir}/app.db` } }));
    expect(error?.kind).toBe("invalid_config");
    expect(error?.message).toMatch(/file name .*002_caf\uFFFD\.sql is not valid UTF-8/);
    expect(error?.hint).toMatch(/rename the file/);
  });

  it("a migration file stagecraft may not read is invalid_config naming the file (EACCES)", async () => {
    const p = rawProject({ "001_secret.sql": "CREATE TABLE t (id INT);\n" });
    const file = join(p.dir, "migrations", "001_secret.sql");
    chmodSync(p.dir, 0o755);
    chmodSync(file, 0o000);
    // root reads any file: run the CLI as nobody then (anyone else gets EACCES as is).
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = await new Promise<{ stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, "migrate", "--json"], { cwd: p.dir, env: { PATH: process.env.PATH ?? "", DB: "sqlite::memory:" }, ...asUser });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.on("close", () => resolve({ stdout }));
    });
    const error = JSON.parse(result.stdout).databases[0].error;
    expect(error).toMatchObject({ kind: "invalid_config", file, driverCode: "EACCES" });
    expect(error.message).toContain(`cannot open ${file}: permission denied (EACCES)`);
    expect(error.hint).toContain(`give the user running stagecraft access to ${file}`);
  });

  it("a full disk is resource_exhausted with a hint, from the OS (ENOSPC) and from SQLite (SQLITE_FULL)", () => {
    let enospc: unknown;
    try {
      writeFileSync("/dev/full", "x");
    } catch (error) {
      enospc = error;
    }
    expect(serializeError(enospc)).toMatchObject({ kind: "resource_exhausted", driverCode: "ENOSPC", hint: expect.stringMatching(/is full: free space/) });
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (x TEXT)");
    db.pragma("max_page_count = 2");
    let full: unknown;
    try {
      db.prepare("INSERT INTO t VALUES (?)").run("x".repeat(100_000));
    } catch (error) {
      full = error;
    }
    db.close();
    expect(serializeError(full)).toMatchObject({ kind: "resource_exhausted", driverCode: "SQLITE_FULL" });
  });
});

async function killSessionWhenSleeping(db: TestDatabase): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const killed = db.dialect === "postgres"
      ? await db.query("SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%SELECT pg_sleep(30)%' AND pid <> pg_backend_pid()")
      : await db.query<{ ID: number }>("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'SELECT SLEEP%'").then(async (rows) => {
        for (const row of rows) await db.query(`KILL CONNECTION ${Number(row.ID)}`);
        return rows;
      });
    if (killed.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the migration never started sleeping");
}
