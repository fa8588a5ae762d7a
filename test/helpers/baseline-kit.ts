import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import knexFactory, { type Knex } from "knex";
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineProject } from "./engine-project.js";
import { baselineAll, type BaselineAllOptions, type RunReport } from "./stagecraft.js";

/** `migrate baseline --to` on the project's one database (or its selection). */
export function baseline(p: EngineProject, to: string, options: Omit<BaselineAllOptions, "to"> = {}): Promise<RunReport> {
  return baselineAll(p.file, { env: p.env, to, ...options });
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

export type DrizzleFormat = "journal" | "folders";
/** drizzle-kit's journal `when` values, and the timestamps of 1.0 folder names, of migrations 0..3. */
export const DRIZZLE_WHEN = [1700000000000, 1700000100000, 1700000200000, 1700000300000];
export const DRIZZLE_STAMPS = ["20240101000000", "20240102000000", "20240103000000", "20240104000000"];

/** Name of drizzle migration `idx`: a journal tag or a 1.0 folder name. */
export const drizzleName = (format: DrizzleFormat, idx: number): string => (format === "journal" ? `000${idx}_step${idx}` : `${DRIZZLE_STAMPS[idx]}_step${idx}`);

/** A drizzle-kit output folder holding `bodies` as migrations 0..n-1, in either layout. */
export function drizzleFolder(format: DrizzleFormat, bodies: readonly string[]): Record<string, string> {
  const files: Record<string, string> = {};
  const entries = bodies.map((body, idx) => {
    const tag = drizzleName(format, idx);
    files[format === "journal" ? `${tag}.sql` : `${tag}/migration.sql`] = body;
    return { idx, version: "7", when: DRIZZLE_WHEN[idx], tag, breakpoints: true };
  });
  if (format === "journal") files["meta/_journal.json"] = JSON.stringify({ version: "7", dialect: "postgresql", entries }, null, 2);
  return files;
}

/** drizzle-orm's own migrator (0.45 for the journal layout, 1.0-rc for folders) on the project's folder: the referee. */
export async function drizzleMigrate(p: EngineProject, format: DrizzleFormat): Promise<void> {
  const pkg = format === "journal" ? "drizzle-orm" : "drizzle-orm-v1";
  const migrationsFolder = `${p.dir}/migrations`;
  if (p.db.dialect === "sqlite") {
    const client = new Database(p.db.url.slice("sqlite:".length));
    try {
      const { drizzle } = await import(`${pkg}/better-sqlite3`);
      const { migrate } = await import(`${pkg}/better-sqlite3/migrator`);
      migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      client.close();
    }
  } else if (p.db.dialect === "postgres") {
    const client = new pg.Client({ connectionString: p.db.url });
    await client.connect();
    try {
      const { drizzle } = await import(`${pkg}/node-postgres`);
      const { migrate } = await import(`${pkg}/node-postgres/migrator`);
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      await client.end();
    }
  } else {
    const client = await mysql.createConnection({ uri: p.db.url });
    try {
      const { drizzle } = await import(`${pkg}/mysql2`);
      const { migrate } = await import(`${pkg}/mysql2/migrator`);
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      await client.end();
    }
  }
}

/** Real knex on the project's database and folder: the referee. Destroy it after use. */
export function realKnex(p: EngineProject): { knex: Knex; config: Knex.MigratorConfig } {
  const connection = p.db.dialect === "sqlite" ? { filename: p.db.url.slice("sqlite:".length) } : p.db.url;
  const client = { sqlite: "better-sqlite3", postgres: "pg", mysql: "mysql2" }[p.db.dialect];
  const knex = knexFactory({ client, connection, useNullAsDefault: true, log: { warn() {}, error() {}, deprecate() {}, debug() {} } });
  return { knex, config: { directory: `${p.dir}/migrations` } };
}

/** Whether the project's database has `table` (proof that a migration ran, or did not). */
export async function hasTable(p: EngineProject, table: string): Promise<boolean> {
  const sql = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
    postgres: "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1",
    mysql: "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
  }[p.db.dialect];
  return (await p.db.query(sql, [table])).length > 0;
}

/** What `drizzle-kit up` does to a 0.x journal folder: each entry becomes `<UTC second of when>_<tag without NNNN_>/migration.sql`, meta/ goes. */
export function drizzleKitUp(p: EngineProject): string[] {
  const folder = `${p.dir}/migrations`;
  const journal = JSON.parse(readFileSync(`${folder}/meta/_journal.json`, "utf8")) as { entries: { when: number; tag: string }[] };
  const names = journal.entries.map((entry) => {
    const name = `${new Date(entry.when).toISOString().replace(/[-:T]/g, "").slice(0, 14)}_${entry.tag.replace(/^\d+_/, "")}`;
    mkdirSync(`${folder}/${name}`);
    renameSync(`${folder}/${entry.tag}.sql`, `${folder}/${name}/migration.sql`);
    return name;
  });
  rmSync(`${folder}/meta`, { recursive: true });
  return names;
}
