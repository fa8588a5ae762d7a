import type { Knex } from "knex";
import type { KnexConfig } from "./config.js";

/** Our side table: knex migrations that ran outside a transaction and did not finish. */
export const MARKER_TABLE = "stagecraft_knex_unfinished";
/** Our side table: a row while a stagecraft run holds knex's lock row (see knex-lock.ts). */
export const OWNER_TABLE = "stagecraft_knex_lock";

export interface KnexRow {
  id: number;
  name: string;
  batch: number;
  time: unknown;
}

export interface KnexMarker {
  name: string;
  startedAt: string;
  error: string | null;
}

type Db = Knex | Knex.Transaction;

/**
 * knex's own tables (`knex_migrations`, `<table>_lock`) and stagecraft's two side tables beside
 * them (same schema), read and written through knex, in the column shapes knex itself uses.
 */
export class KnexTables {
  readonly #config: KnexConfig;

  constructor(config: KnexConfig) {
    this.#config = config;
  }

  get lockTableName(): string {
    return `${this.#config.tableName}_lock`;
  }

  table(db: Db, name: string): Knex.QueryBuilder {
    return this.#config.schemaName === undefined ? db(name) : db(name).withSchema(this.#config.schemaName);
  }

  async has(db: Db, name: string): Promise<boolean> {
    return this.#schema(db).hasTable(name);
  }

  /** knex_migrations in insert order (knex's apply order). Names compare byte for byte in JS. */
  async completed(db: Db): Promise<KnexRow[]> {
    if (!(await this.has(db, this.#config.tableName))) return [];
    const rows = await this.table(db, this.#config.tableName).select("id", "name", "batch", "migration_time").orderBy("id");
    return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), name: String(r.name), batch: Number(r.batch), time: r.migration_time }));
  }

  async latestBatch(db: Db): Promise<number> {
    const [row] = await this.table(db, this.#config.tableName).max("batch as max_batch");
    return Number((row as { max_batch?: unknown } | undefined)?.max_batch ?? 0) || 0;
  }

  async record(db: Db, name: string, batch: number): Promise<void> {
    await this.table(db, this.#config.tableName).insert({ name, batch, migration_time: new Date() });
  }

  async forget(db: Db, name: string): Promise<void> {
    await this.table(db, this.#config.tableName).where({ name }).del();
  }

  async markers(db: Db): Promise<KnexMarker[]> {
    if (!(await this.has(db, MARKER_TABLE))) return [];
    const rows = await this.table(db, MARKER_TABLE).select("id", "started_at", "error").orderBy("started_at");
    return rows.map((r: Record<string, unknown>) => ({ name: String(r.id), startedAt: String(r.started_at), error: r.error == null ? null : String(r.error) }));
  }

  /** Records that `name` is about to run outside a transaction; committed before it starts. */
  async mark(db: Db, name: string, note: string | null = null): Promise<void> {
    // `collate` applies on MySQL only (with utf8mb4 implied): IDs compare byte for byte there too.
    await this.#ensureSideTable(db, MARKER_TABLE, (t) => {
      t.string("id", 255).collate("utf8mb4_bin").primary();
      t.string("started_at", 32).notNullable();
      t.text("error");
    });
    await this.table(db, MARKER_TABLE).where({ id: name }).del();
    await this.table(db, MARKER_TABLE).insert({ id: name, started_at: new Date().toISOString(), error: note });
  }

  async fail(db: Db, name: string, error: string): Promise<void> {
    await this.table(db, MARKER_TABLE).where({ id: name }).update({ error });
  }

  async unmark(db: Db, name: string): Promise<void> {
    if (await this.has(db, MARKER_TABLE)) await this.table(db, MARKER_TABLE).where({ id: name }).del();
  }

  async ensureOwnerTable(db: Db): Promise<void> {
    await this.#ensureSideTable(db, OWNER_TABLE, (t) => {
      t.string("lock_table", 255).collate("utf8mb4_bin").primary();
      t.string("taken_at", 32).notNullable();
    });
  }

  async #ensureSideTable(db: Db, name: string, columns: (t: Knex.CreateTableBuilder) => void): Promise<void> {
    if (await this.has(db, name)) return;
    await this.#schema(db).createTable(name, columns);
  }

  #schema(db: Db): Knex.SchemaBuilder {
    return this.#config.schemaName === undefined ? db.schema : db.schema.withSchema(this.#config.schemaName);
  }
}
