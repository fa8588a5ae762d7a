import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle as drizzleSqlite } from "drizzle-orm/better-sqlite3";
import { migrate as migrateSqlite } from "drizzle-orm/better-sqlite3/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import knexFactory from "knex";
import pg from "pg";
import { stringify } from "yaml";
import { PG_URL, pgAdmin } from "./fixtures/servers.js";
import { loadConfig, runAll, type StagecraftConfig } from "../src/index.js";
import { fmt, paired, scratchDir, type Bench, type Figure } from "./harness.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SQLITE_DATABASES = Number(process.env.BENCH_NATIVE_SQLITE_DATABASES ?? 100);
const PG_DATABASES = Number(process.env.BENCH_NATIVE_PG_DATABASES ?? 50);
const MIGRATIONS = 20;
const TARGET = 1.5;

/** Each tool's own folder: a drizzle-kit 0.x journal folder and a knex folder of CommonJS modules, the same SQL in both. */
function writeFolders(dir: string): void {
  for (const dialect of ["sqlite", "postgresql"]) mkdirSync(join(dir, `drizzle-${dialect}`, "meta"), { recursive: true });
  mkdirSync(join(dir, "knex"), { recursive: true });
  const entries = [];
  for (let i = 1; i <= MIGRATIONS; i++) {
    const id = String(i).padStart(4, "0");
    const create = `CREATE TABLE t${id} (id INT PRIMARY KEY, v VARCHAR(20))`;
    const insert = `INSERT INTO t${id} (id, v) VALUES (1, 'x')`;
    for (const dialect of ["sqlite", "postgresql"]) writeFileSync(join(dir, `drizzle-${dialect}`, `${id}_t${id}.sql`), `${create};\n--> statement-breakpoint\n${insert};\n`);
    entries.push({ idx: i - 1, version: "7", when: 1700000000000 + i * 1000, tag: `${id}_t${id}`, breakpoints: true });
    writeFileSync(join(dir, "knex", `${id}_t${id}.cjs`), `exports.up = async (knex) => { await knex.raw("${create}"); await knex.raw("${insert}"); };\nexports.down = async () => {};\n`);
  }
  for (const dialect of ["sqlite", "postgresql"]) writeFileSync(join(dir, `drizzle-${dialect}`, "meta", "_journal.json"), JSON.stringify({ version: "7", dialect, entries }));
}

/** A config of `count` databases of `engine` over `folder`, with `settings` in their migrations block. */
async function configFor(dir: string, name: string, count: number, engine: string, folder: string, settings: Record<string, unknown>): Promise<StagecraftConfig> {
  const databases = Object.fromEntries(Array.from({ length: count }, (_, i) => [`db${i}`, { connection_env: `DB${i}`, migrations: { engine, path: `./${folder}`, ...settings } }]));
  writeFileSync(join(dir, `${name}.yml`), stringify({ databases }));
  return loadConfig(join(dir, `${name}.yml`));
}

async function ours(config: StagecraftConfig, urls: string[]): Promise<void> {
  const report = await runAll(config, { env: Object.fromEntries(urls.map((url, i) => [`DB${i}`, url])) });
  if (report.summary.succeeded !== urls.length) throw new Error(`runAll: ${JSON.stringify(report.databases.find((d) => d.error)?.error)}`);
}

/** drizzle-orm's `migrate()` over each database in turn, as a project's script would loop it. */
async function drizzleLoop(dir: string, urls: string[]): Promise<void> {
  for (const url of urls) {
    const migrationsFolder = join(dir, url.startsWith("sqlite:") ? "drizzle-sqlite" : "drizzle-postgresql");
    if (url.startsWith("sqlite:")) {
      const client = new Database(url.slice("sqlite:".length));
      migrateSqlite(drizzleSqlite({ client }), { migrationsFolder });
      client.close();
    } else {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await migratePg(drizzlePg({ client }), { migrationsFolder });
      await client.end();
    }
  }
}

/** knex's Migrator (`migrate.latest()`, its default: one transaction) over each database in turn. */
async function knexLoop(dir: string, urls: string[]): Promise<void> {
  for (const url of urls) {
    const knex = url.startsWith("sqlite:")
      ? knexFactory({ client: "better-sqlite3", connection: { filename: url.slice("sqlite:".length) }, useNullAsDefault: true })
      : knexFactory({ client: "pg", connection: url });
    await knex.migrate.latest({ directory: join(dir, "knex"), loadExtensions: [".cjs"] });
    await knex.destroy();
  }
}


interface Contenders {
  /** Fresh empty databases for one timed run. */
  fresh(): Promise<string[]>;
  label: string;
  count: number;
  target: number | undefined;
}

export const nativeTools: Bench = {
  name: "native-tools",
  question: `How fast are the drizzle and knex engines against a loop of drizzle-orm's migrate() and of knex's Migrator, on their own folders, over ${SQLITE_DATABASES} SQLite and ${PG_DATABASES} PostgreSQL databases × ${MIGRATIONS} migrations?`,
  async run() {
    const scratch = scratchDir("native");
    const figures: Figure[] = [];
    const pgNames = Array.from({ length: PG_DATABASES }, (_, i) => `scbench_native_${process.pid}_${i}`);
    let pgCreated = false;
    try {
      writeFolders(scratch.dir);
      let run = 0;
      const sqlite: Contenders = {
        label: "SQLite", count: SQLITE_DATABASES, target: TARGET,
        fresh: async () => {
          const target = join(scratch.dir, `run${run++}`);
          mkdirSync(target);
          return Array.from({ length: SQLITE_DATABASES }, (_, i) => `sqlite:${target}/d${i}.db`);
        },
      };
      const postgres: Contenders = {
        label: "PostgreSQL", count: PG_DATABASES, target: undefined,
        fresh: async () => {
          const urls = pgNames.map((name) => PG_URL.replace(/\/[^/]*$/, `/${name}`));
          for (const url of urls) await pgAdmin("DROP SCHEMA IF EXISTS drizzle CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;", url);
          return urls;
        },
      };
      const sides: Contenders[] = [sqlite];
      try {
        if (PG_DATABASES < 1) throw new Error("BENCH_NATIVE_PG_DATABASES is 0");
        await pgAdmin("SELECT 1");
        for (const name of pgNames) await pgAdmin(`CREATE DATABASE ${name}`);
        pgCreated = true;
        sides.push(postgres);
      } catch {
        if (PG_DATABASES >= 1) figures.push({ bench: this.name, metric: "PostgreSQL: not reachable, skipped", value: Number.NaN, unit: "×", target: "—" });
      }
      for (const side of sides) {
        const folder = side === sqlite ? "drizzle-sqlite" : "drizzle-postgresql";
        const drizzleAll = await configFor(scratch.dir, `drizzle-all-${side.label}`, side.count, "drizzle", folder, { transaction_mode: "all" });
        const drizzleEach = await configFor(scratch.dir, `drizzle-each-${side.label}`, side.count, "drizzle", folder, {});
        const knexDefault = await configFor(scratch.dir, `knex-${side.label}`, side.count, "knex", "knex", { loadExtensions: [".cjs"] });
        const timed = async (fn: (urls: string[]) => Promise<void>): Promise<void> => fn(await side.fresh());
        // Each contender's fresh databases are made inside its timed call on SQLite (a mkdir) and before it on PostgreSQL (a reset, timed alike for all).
        const t = await paired(ROUNDS, {
          drizzleNative: () => timed((urls) => drizzleLoop(scratch.dir, urls)),
          drizzleAll: () => timed((urls) => ours(drizzleAll, urls)),
          drizzleEach: () => timed((urls) => ours(drizzleEach, urls)),
          knexNative: () => timed((urls) => knexLoop(scratch.dir, urls)),
          knexEngine: () => timed((urls) => ours(knexDefault, urls)),
        });
        const row = (metric: string, value: number, detail: string, judged = true): Figure => {
          const target = judged ? side.target : undefined;
          return {
            bench: this.name, metric: `${side.label}, ${side.count} dbs × ${MIGRATIONS}: ${metric}`, value, unit: "×",
            target: target === undefined ? "—" : `≥ ${target}×`, ...(target === undefined ? {} : { pass: value >= target }), detail,
          };
        };
        const perDb = (ms: number) => `${fmt(ms / side.count)} ms/db`;
        figures.push(
          row("drizzle engine (transaction_mode: all) vs drizzle-orm migrate() loop", t.drizzleNative / t.drizzleAll, `engine ${perDb(t.drizzleAll)}, migrate() ${perDb(t.drizzleNative)}`),
          row("drizzle engine (per-migration, the default) vs drizzle-orm migrate() loop", t.drizzleNative / t.drizzleEach, `engine ${perDb(t.drizzleEach)}`, false),
          row("knex engine (default: one transaction per run) vs knex Migrator loop", t.knexNative / t.knexEngine, `engine ${perDb(t.knexEngine)}, Migrator ${perDb(t.knexNative)}`),
        );
      }
      return figures;
    } finally {
      // WITH (FORCE): a tool's connection left open by a failed round must not keep a database behind.
      if (pgCreated) for (const name of pgNames) await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => pgAdmin(`DROP DATABASE IF EXISTS ${name}`)).catch(() => undefined);
      scratch.cleanup();
    }
  },
};
