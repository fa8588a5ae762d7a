import type { Dialect, Driver } from "../../drivers/driver.js";
import type { DrizzleFormat } from "./drizzle-source.js";

export interface DrizzleRow {
  hash: string;
  createdAt: number | null;
  name: string | null;
  /** drizzle 1.0's `applied_at`, as the table holds it (NULL on rows upgraded from 0.x). */
  appliedAt: unknown;
}

/**
 * drizzle-orm's own DDL for `__drizzle_migrations`, per dialect and format (engine-formats §1.3):
 * the table must look exactly like the one drizzle creates, or drizzle would not read it back.
 */
const DDL: Record<DrizzleFormat, Record<Dialect, (table: string) => string>> = {
  journal: {
    postgres: (t) => `CREATE TABLE IF NOT EXISTS ${t} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    mysql: (t) => `create table if not exists ${t} (id serial primary key, hash text not null, created_at bigint)`,
    sqlite: (t) => `CREATE TABLE IF NOT EXISTS ${t} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
  },
  folders: {
    postgres: (t) => `CREATE TABLE IF NOT EXISTS ${t} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text, applied_at timestamp with time zone DEFAULT now())`,
    mysql: (t) => `CREATE TABLE IF NOT EXISTS ${t} (id SERIAL PRIMARY KEY, hash TEXT NOT NULL, created_at BIGINT, name TEXT, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)`,
    sqlite: (t) => `CREATE TABLE IF NOT EXISTS ${t} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric, name text, applied_at TEXT)`,
  },
};

/** The columns drizzle 1.0 adds when it upgrades a 0.x table in place (engine-formats §1.8). */
const UPGRADE: Record<Dialect, (table: string) => string[]> = {
  postgres: (t) => [`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS name text, ADD COLUMN IF NOT EXISTS applied_at timestamp with time zone DEFAULT now()`],
  mysql: (t) => [`ALTER TABLE ${t} ADD COLUMN name TEXT, ADD COLUMN applied_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP`],
  sqlite: (t) => [`ALTER TABLE ${t} ADD COLUMN name text`, `ALTER TABLE ${t} ADD COLUMN applied_at TEXT`],
};

/**
 * `applied_at` as each dialect can give it without a time-zone guess: MySQL's TIMESTAMP is read
 * back in the session's zone, so it is fetched as epoch milliseconds there.
 */
const APPLIED_AT: Record<Dialect, string> = { postgres: "applied_at", sqlite: "applied_at", mysql: "UNIX_TIMESTAMP(applied_at) * 1000 AS applied_at" };

/** drizzle 1.0's SQLite migrator writes `applied_at` itself; elsewhere the server default does. */
const CLIENT_WRITES_APPLIED_AT: Record<Dialect, boolean> = { sqlite: true, postgres: false, mysql: false };

/** drizzle's bookkeeping table; the schema applies on PostgreSQL only, as in drizzle. */
export class DrizzleTable {
  readonly #driver: Driver;
  readonly #format: DrizzleFormat;
  readonly #name: string;
  readonly #schema: string | undefined;
  readonly qualified: string;

  constructor(driver: Driver, format: DrizzleFormat, table: string, schema: string) {
    this.#driver = driver;
    this.#format = format;
    this.#name = table;
    this.#schema = driver.schemas ? schema : undefined;
    this.qualified = driver.quote(table, this.#schema);
  }

  async exists(): Promise<boolean> {
    return this.#driver.tableExists(this.#name, this.#schema);
  }

  async ensure(): Promise<void> {
    if (this.#schema !== undefined) await this.#driver.exec(`CREATE SCHEMA IF NOT EXISTS ${this.#driver.quote(this.#schema)}`);
    await this.#driver.exec(DDL[this.#format][this.#driver.dialect](this.qualified));
  }

  /** True when the table has drizzle 1.0's `name` column. */
  async hasNameColumn(): Promise<boolean> {
    try {
      await this.#driver.query(`SELECT name FROM ${this.qualified} WHERE 1 = 0`);
      return true;
    } catch {
      return false;
    }
  }

  async read(withName: boolean): Promise<DrizzleRow[]> {
    const rows = await this.#driver.query<{ hash: string; created_at: unknown; name?: unknown; applied_at?: unknown }>(
      `SELECT hash, created_at${withName ? `, name, ${APPLIED_AT[this.#driver.dialect]}` : ""} FROM ${this.qualified}`,
    );
    return rows.map((r) => ({
      hash: String(r.hash),
      createdAt: r.created_at == null ? null : Number(r.created_at),
      name: r.name == null ? null : String(r.name),
      appliedAt: r.applied_at ?? null,
    }));
  }

  /**
   * Upgrades a 0.x table in place as drizzle 1.0 does: add `name` and `applied_at`, name every
   * row after its migration, and leave `applied_at` NULL on the old rows. Rows are found by hash
   * and created_at, because SQLite 0.x rows have no id.
   */
  async upgrade(names: { row: DrizzleRow; name: string }[]): Promise<void> {
    for (const statement of UPGRADE[this.#driver.dialect](this.qualified)) await this.#driver.exec(statement);
    for (const { row, name } of names) {
      await this.#driver.query(`UPDATE ${this.qualified} SET name = ?, applied_at = NULL WHERE hash = ? AND created_at = ?`, [name, row.hash, row.createdAt]);
    }
  }

  /**
   * Whether the migration has a row: by `name` (folders) or by `created_at` (journal). Call inside
   * its transaction. Names are compared here, byte for byte: drizzle's `name text` column takes
   * the database's collation, which on MySQL ignores case.
   */
  async has(id: string, createdAt: number): Promise<boolean> {
    if (this.#format === "journal") return (await this.#driver.query(`SELECT 1 AS found FROM ${this.qualified} WHERE created_at = ?`, [createdAt])).length > 0;
    const rows = await this.#driver.query<{ name: unknown }>(`SELECT name FROM ${this.qualified} WHERE name = ?`, [id]);
    return rows.some((r) => String(r.name) === id);
  }

  async insert(hash: string, createdAt: number, name: string): Promise<void> {
    if (this.#format === "journal") {
      await this.#driver.query(`INSERT INTO ${this.qualified} (hash, created_at) VALUES (?, ?)`, [hash, createdAt]);
    } else if (CLIENT_WRITES_APPLIED_AT[this.#driver.dialect]) {
      await this.#driver.query(`INSERT INTO ${this.qualified} (hash, created_at, name, applied_at) VALUES (?, ?, ?, ?)`, [hash, createdAt, name, new Date().toISOString()]);
    } else {
      await this.#driver.query(`INSERT INTO ${this.qualified} (hash, created_at, name) VALUES (?, ?, ?)`, [hash, createdAt, name]);
    }
  }
}
