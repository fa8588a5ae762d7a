import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { availableDialects, createDatabase, type Dialect, type TestDatabase } from "../helpers/servers.js";

const dialects = await availableDialects();
const KILLS_PER_DIALECT = 6;
/** knex kills per dialect: fewer, each knex run costs more (two connections, module loading). */
const KNEX_KILLS = 4;
const MIGRATIONS = 8;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SLOW: Record<Dialect, string> = {
  postgres: "SELECT pg_sleep(0.04);",
  mysql: "SELECT SLEEP(0.04);",
  sqlite: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) FROM c;",
};

/** Each migration inserts its number twice around a slow statement: a half-applied one shows as a single row. */
async function project(dialect: Dialect, engine: "raw" | "knex" = "raw"): Promise<{ dir: string; env: Record<string, string>; db: TestDatabase }> {
  const p = tempProject();
  const db = await createDatabase(dialect, p.dir);
  cleanups.push(p.cleanup, db.drop);
  const steps = (i: number) => [`CREATE TABLE t${i} (id INT)`, `INSERT INTO hits VALUES (${i})`, SLOW[dialect].replace(/;$/, ""), `INSERT INTO hits VALUES (${i})`];
  if (engine === "raw") {
    p.write("migrations/000_hits.sql", "CREATE TABLE hits (n INT);\n");
    for (let i = 1; i <= MIGRATIONS; i++) p.write(`migrations/00${i}_step.sql`, `${steps(i).join(";\n")};\n`);
  } else {
    p.write("migrations/000_hits.js", "exports.up = (knex) => knex.raw('CREATE TABLE hits (n INT)');\nexports.down = async () => {};\n");
    for (let i = 1; i <= MIGRATIONS; i++) p.write(`migrations/00${i}_step.js`, `exports.up = async (knex) => {\n${steps(i).map((s) => `  await knex.raw(${JSON.stringify(s)});`).join("\n")}\n};\nexports.down = async () => {};\n`);
  }
  p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine, path: "./migrations", lock_timeout_ms: 10_000 } } } }));
  return { dir: p.dir, env: { DB: db.url }, db };
}

async function counts(db: TestDatabase): Promise<Map<number, number>> {
  const rows = await db.query<{ n: number }>("SELECT n FROM hits").catch(() => []);
  const out = new Map<number, number>();
  for (const { n } of rows) out.set(Number(n), (out.get(Number(n)) ?? 0) + 1);
  return out;
}

describeDialects("a runner killed with SIGKILL at a random point, on %s", dialects, (dialect) => {
  it(`leaves nothing half-recorded; the next run completes every migration exactly once (${KILLS_PER_DIALECT} kills)`, async () => {
    const outcomes: string[] = [];
    // Time one uninterrupted run, then spread the kills over that span (start-up, lock, the
    // middle of migrations, the bookkeeping writes), each moment jittered at random.
    const probe = await project(dialect);
    const started = performance.now();
    expect((await runCli(["migrate"], probe.dir, probe.env)).code).toBe(0);
    const span = performance.now() - started;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    for (let attempt = 0; attempt < KILLS_PER_DIALECT; attempt++) {
      const { dir, env, db } = await project(dialect);
      const { child, done } = startCli(["migrate", "--json"], dir, env);
      const delay = Math.round(span * ((attempt + Math.random()) / (KILLS_PER_DIALECT + 1)));
      const timer = setTimeout(() => child.kill("SIGKILL"), delay);
      const first = await done;
      clearTimeout(timer);
      let second = await runCli(["migrate", "--json"], dir, env);
      if (second.code !== 0) {
        // Only MySQL may refuse: a migration that was cut between its statements blocks until resolved.
        expect(dialect).toBe("mysql");
        const error = JSON.parse(second.stdout).databases[0].error;
        expect(error.kind).toBe("migration_failed");
        expect(error.message).toMatch(/started at .* and did not finish \(the runner died\); it may be partly applied/);
        const stuck = Number(error.migration.slice(0, 3));
        const rows = await db.query<{ finished_at: string | null }>("SELECT finished_at FROM stagecraft_migrations WHERE id = ?", [error.migration]);
        expect(rows).toEqual([{ finished_at: null }]);
        await db.query(`DELETE FROM hits WHERE n = ${stuck}`);
        await db.query(`DROP TABLE IF EXISTS t${stuck}`);
        expect((await runCli(["migrate", "resolve", "-d", "main", "--rolled-back", error.migration], dir, env)).code).toBe(0);
        outcomes.push("blocked-then-resolved");
        second = await runCli(["migrate", "--json"], dir, env);
      } else {
        outcomes.push(first.signal === "SIGKILL" ? "killed" : "finished-before-kill");
      }
      expect(second.code).toBe(0);
      const byNumber = await counts(db);
      for (let i = 1; i <= MIGRATIONS; i++) expect({ migration: i, rows: byNumber.get(i) }).toEqual({ migration: i, rows: 2 });
      const recorded = await db.query<{ id: string }>("SELECT id FROM stagecraft_migrations WHERE finished_at IS NOT NULL ORDER BY id");
      expect(recorded).toHaveLength(MIGRATIONS + 1);
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    }
    expect(outcomes.filter((o) => o !== "finished-before-kill").length).toBeGreaterThan(0);
  });
});

describe.each(dialects)("a knex run killed with SIGKILL at a random point, on %s", (dialect) => {
  it(`leaves no knex lock behind and nothing applied unrecorded; the next run completes every migration exactly once (${KNEX_KILLS} kills)`, async () => {
    const probe = await project(dialect, "knex");
    const started = performance.now();
    expect((await runCli(["migrate"], probe.dir, probe.env)).code).toBe(0);
    const span = performance.now() - started;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    let killed = 0;
    for (let attempt = 0; attempt < KNEX_KILLS; attempt++) {
      const { dir, env, db } = await project(dialect, "knex");
      const { child, done } = startCli(["migrate", "--json"], dir, env);
      const timer = setTimeout(() => child.kill("SIGKILL"), Math.round(span * ((attempt + Math.random()) / (KNEX_KILLS + 1))));
      if ((await done).signal === "SIGKILL") killed++;
      clearTimeout(timer);
      let next = await runCli(["migrate", "--json"], dir, env);
      if (next.code !== 0) {
        // Only MySQL may refuse: DDL committed as it went, so a cut migration is marked and blocks.
        expect(dialect).toBe("mysql");
        const error = JSON.parse(next.stdout).databases[0].error;
        expect(error.kind).toBe("migration_failed");
        expect(error.message).toMatch(/started at .* outside a transaction and did not finish \(the runner died\)/);
        const stuck = Number(error.migration.slice(0, 3));
        if (stuck === 0) await db.query("DROP TABLE IF EXISTS hits");
        else {
          await db.query(`DELETE FROM hits WHERE n = ${stuck}`);
          await db.query(`DROP TABLE IF EXISTS t${stuck}`);
        }
        expect((await runCli(["migrate", "resolve", "-d", "main", "--rolled-back", error.migration], dir, env)).code).toBe(0);
        next = await runCli(["migrate", "--json"], dir, env);
      }
      expect(next.code).toBe(0);
      const byNumber = await counts(db);
      for (let i = 1; i <= MIGRATIONS; i++) expect({ migration: i, rows: byNumber.get(i) }).toEqual({ migration: i, rows: 2 });
      expect(await db.query("SELECT name FROM knex_migrations")).toHaveLength(MIGRATIONS + 1);
      expect((await db.query<{ is_locked: number }>("SELECT is_locked FROM knex_migrations_lock")).map((r) => Number(r.is_locked))).toEqual([0]);
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    }
    expect(killed).toBeGreaterThan(0);
  }, 300_000);
});
