import { stringify } from "yaml";
import { tempProject } from "./project.js";
import { createDatabase, type Dialect, type TestDatabase } from "./servers.js";

export const ENGINES = ["raw", "drizzle", "prisma", "knex"] as const;
export type EngineId = (typeof ENGINES)[number];

const PROVIDER: Record<Dialect, string> = { postgres: "postgresql", mysql: "mysql", sqlite: "sqlite" };
/** Migrations after the first: each inserts one row into `hits`, which has no unique key. */
export const HITS = 3;

/**
 * Writes, for every engine, migrations that create `hits (n INT)` and then insert one row each,
 * so a migration applied twice shows as an extra row at the database.
 */
function writeMigrations(write: (path: string, text: string) => void, dialects: Dialect[]): void {
  write("migrations/raw/000_hits.sql", "CREATE TABLE hits (n INT);\n");
  for (let i = 1; i <= HITS; i++) write(`migrations/raw/00${i}_hit.sql`, `INSERT INTO hits VALUES (${i});\n`);

  const entries = [];
  for (let i = 0; i <= HITS; i++) {
    write(`migrations/drizzle/000${i}_step.sql`, i === 0 ? "CREATE TABLE hits (n INT);" : `INSERT INTO hits VALUES (${i});`);
    entries.push({ idx: i, version: "7", when: 1700000000000 + i * 1000, tag: `000${i}_step`, breakpoints: true });
  }
  write("migrations/drizzle/meta/_journal.json", JSON.stringify({ version: "7", dialect: "sqlite", entries }));

  for (const dialect of dialects) {
    const dir = `migrations/prisma-${dialect}`;
    write(`${dir}/migration_lock.toml`, `provider = "${PROVIDER[dialect]}"\n`);
    write(`${dir}/20240101000000_hits/migration.sql`, "CREATE TABLE hits (n INT);\n");
    for (let i = 1; i <= HITS; i++) write(`${dir}/2024010${i + 1}000000_hit/migration.sql`, `INSERT INTO hits VALUES (${i});\n`);
  }

  write("migrations/knex/000_hits.cjs", "exports.up = (knex) => knex.schema.createTable('hits', (t) => t.integer('n'));\nexports.down = (knex) => knex.schema.dropTable('hits');\n");
  for (let i = 1; i <= HITS; i++) write(`migrations/knex/00${i}_hit.cjs`, `exports.up = (knex) => knex('hits').insert({ n: ${i} });\nexports.down = (knex) => knex('hits').where({ n: ${i} }).del();\n`);
}

export interface FleetDatabase {
  name: string;
  engine: EngineId;
  db: TestDatabase;
}

export interface FleetProject {
  dir: string;
  env: Record<string, string>;
  databases: FleetDatabase[];
  cleanup(): Promise<void>;
}

/** `perEngine` databases of every engine on every dialect, all in one stagecraft.yml. */
export async function fleetProject(dialects: Dialect[], perEngine: number, settings: Record<string, unknown> = {}): Promise<FleetProject> {
  const project = tempProject();
  writeMigrations(project.write, dialects);
  const databases: FleetDatabase[] = [];
  const config: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  for (const dialect of dialects) {
    for (const engine of ENGINES) {
      for (let i = 0; i < perEngine; i++) {
        const name = `${dialect}_${engine}_${i}`;
        const db = await createDatabase(dialect, project.dir);
        databases.push({ name, engine, db });
        env[`URL_${name.toUpperCase()}`] = db.url;
        const path = engine === "prisma" ? `./migrations/prisma-${dialect}` : `./migrations/${engine}`;
        config[name] = { connection_env: `URL_${name.toUpperCase()}`, migrations: { engine, path, ...settings } };
      }
    }
  }
  project.write("stagecraft.yml", stringify({ databases: config }));
  return {
    dir: project.dir,
    env,
    databases,
    cleanup: async () => {
      await Promise.all(databases.map((d) => d.db.drop()));
      project.cleanup();
    },
  };
}

/** Rows in the engine's bookkeeping table that record a finished migration. */
export async function recorded(entry: FleetDatabase): Promise<number> {
  const { db, engine } = entry;
  const sql: Record<EngineId, string> = {
    raw: "SELECT count(*) AS n FROM stagecraft_migrations WHERE finished_at IS NOT NULL",
    drizzle: `SELECT count(*) AS n FROM ${db.dialect === "postgres" ? "drizzle." : ""}__drizzle_migrations`,
    prisma: "SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    knex: "SELECT count(*) AS n FROM knex_migrations",
  };
  return Number((await db.query<{ n: number | string }>(sql[engine]))[0]?.n);
}

export async function hits(entry: FleetDatabase): Promise<number[]> {
  return (await entry.db.query<{ n: number }>("SELECT n FROM hits ORDER BY n")).map((r) => Number(r.n));
}
