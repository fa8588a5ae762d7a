import { randomInt } from "node:crypto";
import Database from "better-sqlite3";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli, type CliResult } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, MYSQL_ADMIN_URL, type Dialect, type TestDatabase } from "../helpers/servers.js";

const dialects = await availableDialects();
const DATABASES = 6;
const CONCURRENCY = 3;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Holds migration 002 of every database at a point the test controls, so the signal lands while
 * known migrations are running: SQLite waits for the file's write lock, PostgreSQL for an advisory
 * lock in its database, MySQL for a named lock on the server (unique to this test).
 */
interface Gate {
  migration: string;
  hold(dbs: TestDatabase[]): Promise<void>;
  release(): Promise<void>;
}

function gate(dialect: Dialect): Gate {
  const key = randomInt(1, 2 ** 31 - 1);
  const name = `sc_runner_gate_${key}`;
  let releasers: (() => Promise<void> | void)[] = [];
  const release = async () => {
    for (const r of releasers.splice(0)) await r();
  };
  const gates: Record<Dialect, Gate> = {
    sqlite: {
      migration: "CREATE TABLE g (id INT);\n",
      hold: async (dbs) => {
        for (const db of dbs) {
          const conn = new Database(db.url.slice("sqlite:".length));
          conn.exec("BEGIN IMMEDIATE");
          releasers.push(() => void (conn.exec("COMMIT"), conn.close()));
        }
      },
      release,
    },
    postgres: {
      migration: `SELECT pg_advisory_xact_lock(${key});\nCREATE TABLE g (id INT);\n`,
      hold: async (dbs) => {
        for (const db of dbs) {
          const client = new pg.Client({ connectionString: db.url });
          await client.connect();
          await client.query("SELECT pg_advisory_lock($1)", [key]);
          releasers.push(() => client.end());
        }
      },
      release,
    },
    mysql: {
      migration: `SELECT GET_LOCK('${name}', 120);\nCREATE TABLE g (id INT);\nSELECT RELEASE_LOCK('${name}');\n`,
      hold: async () => {
        const conn = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
        await conn.query("SELECT GET_LOCK(?, 0)", [name]);
        releasers.push(() => conn.end());
      },
      release,
    },
  };
  cleanups.push(release);
  return gates[dialect];
}

/** Six databases with 001 applied, then 002 (gated), 003 and 004 pending. */
async function gatedProject(dialect: Dialect) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  const dbs: TestDatabase[] = [];
  const databases: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  for (let i = 0; i < DATABASES; i++) {
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(db.drop);
    dbs.push(db);
    databases[`db${i}`] = { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./m", lock_timeout_ms: 60_000 } };
    env[`DB${i}`] = db.url;
  }
  p.write("stagecraft.yml", stringify({ databases }));
  p.write("m/001_init.sql", "CREATE TABLE base (id INT);\n");
  expect((await runCli(["migrate"], p.dir, env)).code).toBe(0);
  const g = gate(dialect);
  p.write("m/002_gate.sql", g.migration);
  p.write("m/003_after.sql", "CREATE TABLE h (id INT);\n");
  p.write("m/004_after.sql", "CREATE TABLE k (id INT);\n");
  return { dir: p.dir, env, dbs, gate: g };
}

async function applied(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{ id: string }>("SELECT id FROM stagecraft_migrations WHERE finished_at IS NOT NULL ORDER BY id");
  return rows.map((r) => r.id);
}

/** Starts `stagecraft migrate -v` and resolves once `count` stderr lines match `pattern`. */
function startAndWait(dir: string, env: Record<string, string>, pattern: RegExp, count: number) {
  const { child, done } = startCli(["migrate", "-v", "--concurrency", String(CONCURRENCY)], dir, env);
  let stderr = "";
  const reached = new Promise<string[]>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const hits = stderr.split("\n").filter((line) => pattern.test(line));
      if (hits.length >= count) resolve(hits.map((line) => line.split(":")[0]!));
    });
    void done.then((r) => reject(new Error(`stagecraft exited (${r.code}) before the gate: ${r.stderr}`)));
  });
  return { child, done, reached, stderr: () => stderr };
}

const waitFor = async (read: () => string, text: string): Promise<void> => {
  while (!read().includes(text)) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe.each(dialects)("signals during a run on %s", (dialect) => {
  // Servers report 002's start, then wait at the gate: all CONCURRENCY of them are inside 002 when
  // the signal comes. SQLite waits for its write lock before 002 reports its start, and how many
  // SQLite databases run at once depends on the threads a run of six starts: wait for the first.
  const inFlight = dialect === "sqlite" ? /: started \(raw, sqlite:/ : /: applying 002_gate$/;
  const inFlightCount = dialect === "sqlite" ? 1 : CONCURRENCY;

  it.each([["SIGTERM", 143], ["SIGINT", 130]] as const)("%s: the running migrations finish, no database starts, no further migration begins; the report is printed; exit %i", async (signal, exitCode) => {
    const { dir, env, dbs, gate: g } = await gatedProject(dialect);
    await g.hold(dbs);
    const run = startAndWait(dir, env, inFlight, inFlightCount);
    const running = await run.reached;
    run.child.kill(signal);
    await waitFor(run.stderr, "stopping: running migrations finish, nothing new starts");
    await g.release();
    const result: CliResult = await run.done;
    expect(result.code).toBe(exitCode);
    // Every database is cancelled: the running ones stopped after their current migration.
    expect(result.stdout).toContain(`${DATABASES} databases, 0 succeeded, ${DATABASES} cancelled`);
    let ran = 0;
    for (const [i, db] of dbs.entries()) {
      const ids = await applied(db);
      ran += ids.length - 1;
      // SQLite: a database waiting for its write lock may have been before 002 (then 002 never
      // began) or inside it (then 002 finished); never a migration after it.
      if (dialect === "sqlite") expect([["001_init"], ["001_init", "002_gate"]]).toContainEqual(ids);
      // A server database inside 002 finishes it; one that had not begun is never touched.
      else if (running.includes(`db${i}`)) expect({ db: i, ids }).toEqual({ db: i, ids: ["001_init", "002_gate"] });
      else expect({ db: i, ids }).toEqual({ db: i, ids: ["001_init"] });
    }
    expect(ran).toBeLessThanOrEqual(CONCURRENCY);
    expect(result.stdout).toMatch(new RegExp(`, ${ran} migrations? (was|were) run`));
  }, 120_000);

  it("a second signal quits at once, even while migrations wait", async () => {
    const { dir, env, dbs, gate: g } = await gatedProject(dialect);
    await g.hold(dbs);
    const run = startAndWait(dir, env, inFlight, inFlightCount);
    await run.reached;
    run.child.kill("SIGTERM");
    await waitFor(run.stderr, "stopping:");
    run.child.kill("SIGTERM");
    // The gate is still held: only quitting at once ends the process now.
    const result = await run.done;
    expect(result.signal).toBe("SIGTERM");
    expect(result.stdout).toBe("");
    await g.release();
    // Killed inside 002: rolled back with its session (SQLite, PostgreSQL) or recorded as unfinished (MySQL).
    for (const db of dbs) expect((await applied(db)).filter((id) => id > "001_init")).toEqual([]);
  }, 120_000);
});

describe("signals under load", () => {
  it("SIGTERM as the first of 50 SQLite databases finishes: every time the report comes and the exit code is 143 (10 runs)", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    for (let i = 1; i <= 30; i++) p.write(`m/${String(i).padStart(3, "0")}_t.sql`, `CREATE TABLE t${i} (id INT);\nINSERT INTO t${i} VALUES (1);\n`);
    const databases = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`db${i}`, { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./m" } }]));
    p.write("stagecraft.yml", stringify({ databases }));
    const outcomes: string[] = [];
    for (let run = 0; run < 10; run++) {
      const env = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`DB${i}`, `sqlite:./run${run}/d${i}.db`]));
      const { child, done } = startCli(["migrate"], p.dir, env);
      let stderr = "";
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes(": succeeded") && child.signalCode === null && !child.killed) child.kill("SIGTERM");
      });
      const result = await done;
      // The last events of a database can still be on their way when every thread is idle: the
      // process must wait for them, not exit (13, unsettled await) with nothing printed.
      outcomes.push(`${result.code} ${/50 databases, \d+ succeeded, \d+ cancelled/.test(result.stdout) ? "report" : "no report"}`);
    }
    expect(outcomes).toEqual(Array.from({ length: 10 }, () => "143 report"));
  }, 180_000);
});

