import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type TestDatabase } from "../helpers/servers.js";
import { resolveMigration, runAll, type DatabaseReport } from "../helpers/stagecraft.js";

const mysqlUp = (await availableDialects()).includes("mysql");
const ENGINES = ["raw", "drizzle", "prisma", "knex"] as const;
type Engine = (typeof ENGINES)[number];
/** Databases per engine in each storm; every storm is one `kill -9` of a runner migrating them all. */
const PER_ENGINE = 5;
const STORMS = 4;
/** Migrations after the one that creates `hits`. */
const STEPS = 4;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Migration N creates tN and inserts N twice around a pause: a cut one leaves tN and one row, or nothing. */
const sql = (n: number) => [`CREATE TABLE t${n} (id INT)`, `INSERT INTO hits VALUES (${n})`, "SELECT SLEEP(0.03)", `INSERT INTO hits VALUES (${n})`];
const CREATE_HITS = "CREATE TABLE hits (n INT)";

/** Each engine's folder, and the ID each migration has there (index = step; 0 creates `hits`). */
function writeMigrations(write: (path: string, text: string) => void): Record<Engine, string[]> {
  const steps = Array.from({ length: STEPS }, (_, i) => i + 1);
  write("migrations/raw/000_hits.sql", `${CREATE_HITS};\n`);
  for (const n of steps) write(`migrations/raw/00${n}_step.sql`, `${sql(n).join(";\n")};\n`);
  write("migrations/drizzle/0000_hits.sql", `${CREATE_HITS};`);
  for (const n of steps) write(`migrations/drizzle/000${n}_step.sql`, `${sql(n).join(";\n--> statement-breakpoint\n")};`);
  write("migrations/drizzle/meta/_journal.json", JSON.stringify({ version: "7", dialect: "mysql", entries: [0, ...steps].map((n) => ({ idx: n, version: "5", when: 1_700_000_000_000 + n, tag: `000${n}_${n === 0 ? "hits" : "step"}`, breakpoints: true })) }));
  write("migrations/prisma/migration_lock.toml", 'provider = "mysql"\n');
  write("migrations/prisma/20240101000000_hits/migration.sql", `${CREATE_HITS};\n`);
  for (const n of steps) write(`migrations/prisma/2024010${n + 1}000000_step/migration.sql`, `${sql(n).join(";\n")};\n`);
  write("migrations/knex/000_hits.js", `exports.up = (knex) => knex.raw(${JSON.stringify(CREATE_HITS)});\nexports.down = async () => {};\n`);
  for (const n of steps) write(`migrations/knex/00${n}_step.js`, `exports.up = async (knex) => {\n${sql(n).map((s) => `  await knex.raw(${JSON.stringify(s)});`).join("\n")}\n};\nexports.down = async () => {};\n`);
  return {
    raw: ["000_hits", ...steps.map((n) => `00${n}_step`)],
    drizzle: ["0000_hits", ...steps.map((n) => `000${n}_step`)],
    prisma: ["20240101000000_hits", ...steps.map((n) => `2024010${n + 1}000000_step`)],
    knex: ["000_hits.js", ...steps.map((n) => `00${n}_step.js`)],
  };
}

const RECORDED: Record<Engine, string> = {
  raw: "SELECT count(*) AS n FROM stagecraft_migrations WHERE finished_at IS NOT NULL",
  drizzle: "SELECT count(*) AS n FROM __drizzle_migrations",
  prisma: "SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
  knex: "SELECT count(*) AS n FROM knex_migrations",
};

interface Storm {
  dir: string;
  file: string;
  env: Record<string, string>;
  ids: Record<Engine, string[]>;
  databases: { name: string; engine: Engine; db: TestDatabase }[];
}

async function storm(): Promise<Storm> {
  const project = tempProject();
  cleanups.push(project.cleanup);
  const ids = writeMigrations(project.write);
  const databases: Storm["databases"] = [];
  const config: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  for (const engine of ENGINES) {
    for (let i = 0; i < PER_ENGINE; i++) {
      const db = await createDatabase("mysql", project.dir);
      cleanups.push(db.drop);
      const name = `${engine}_${i}`;
      databases.push({ name, engine, db });
      env[`URL_${i}_${engine.toUpperCase()}`] = db.url;
      config[name] = { connection_env: `URL_${i}_${engine.toUpperCase()}`, migrations: { engine, path: `./migrations/${engine}`, lock_timeout_ms: 20_000 } };
    }
  }
  const file = project.write("stagecraft.yml", stringify({ databases: config }));
  return { dir: project.dir, file, env, ids, databases };
}

describe.runIf(mysqlUp)("kill -9 storms on MariaDB, every engine", () => {
  it(`${STORMS} storms × ${PER_ENGINE} databases per engine: nothing applied goes unrecorded, no knex lock stays behind`, async () => {
    const probe = await storm();
    const started = performance.now();
    expect((await runCli(["migrate"], probe.dir, probe.env)).code).toBe(0);
    const spanMs = performance.now() - started;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();

    const outcomes = { killed: 0, blocked: 0, recovered: 0 };
    for (let s = 0; s < STORMS; s++) {
      const { dir, file, env, ids, databases } = await storm();
      const { child, done } = startCli(["migrate", "--json"], dir, env);
      const timer = setTimeout(() => child.kill("SIGKILL"), Math.round(spanMs * ((s + Math.random()) / (STORMS + 1))));
      if ((await done).signal === "SIGKILL") outcomes.killed++;
      clearTimeout(timer);

      // The next run finishes each database, or names the migration the dead runner left half-done.
      const next = await runAll(file, { env });
      for (const report of next.databases) {
        if (report.status === "succeeded") continue;
        const entry = databases.find((d) => d.name === report.name)!;
        expectBlockedByDeadRunner(report);
        const n = ids[entry.engine].indexOf(report.error!.migration!);
        expect({ db: report.name, migration: report.error?.migration, known: n >= 0 }).toEqual({ db: report.name, migration: report.error?.migration, known: true });
        // What the hint asks for: undo what the cut migration did, forget the attempt, run again.
        if (n === 0) await entry.db.query("DROP TABLE IF EXISTS hits");
        else {
          await entry.db.query(`DROP TABLE IF EXISTS t${n}`);
          await entry.db.query("DELETE FROM hits WHERE n = ?", [n]);
        }
        expect((await resolveMigration(file, { env, database: report.name, migration: report.error!.migration!, action: "rolled-back" })).ok).toBe(true);
        outcomes.blocked++;
      }
      const final = await runAll(file, { env });
      expect(final.databases.filter((d) => d.status !== "succeeded").map((d) => `${d.name}: ${d.error?.message}`)).toEqual([]);
      for (const { name, engine, db } of databases) {
        const hits = (await db.query<{ n: number }>("SELECT n FROM hits ORDER BY n")).map((r) => Number(r.n));
        expect({ db: name, hits }).toEqual({ db: name, hits: Array.from({ length: STEPS }, (_, i) => [i + 1, i + 1]).flat() });
        expect({ db: name, recorded: Number((await db.query<{ n: number }>(RECORDED[engine]))[0]?.n) }).toEqual({ db: name, recorded: STEPS + 1 });
        if (engine === "knex") {
          expect({ db: name, locked: (await db.query<{ is_locked: number }>("SELECT is_locked FROM knex_migrations_lock")).map((r) => Number(r.is_locked)) }).toEqual({ db: name, locked: [0] });
          const owner = await db.query("SELECT * FROM stagecraft_knex_lock").catch(() => []);
          expect({ db: name, owner }).toEqual({ db: name, owner: [] });
        }
      }
      outcomes.recovered++;
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    }
    expect(outcomes.killed).toBeGreaterThan(0);
    expect(outcomes.recovered).toBe(STORMS);
  }, 900_000);
});

/** A database the killed runner left mid-migration: blocked on that migration, listed as failed, never a lock wait or a rerun. */
function expectBlockedByDeadRunner(report: DatabaseReport): void {
  expect({ db: report.name, kind: report.error?.kind }).toEqual({ db: report.name, kind: "migration_failed" });
  const failed = report.migrations.filter((m) => m.state === "failed").map((m) => m.id);
  expect({ db: report.name, failed }).toEqual({ db: report.name, failed: [report.error?.migration] });
  expect(report.applied).toEqual([]);
}
