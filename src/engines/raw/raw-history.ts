import type { Driver } from "../../drivers/driver.js";

/** One row of the bookkeeping table. `finishedAt === null` means started and never finished. */
export interface HistoryRow {
  id: string;
  checksum: string;
  startedAt: string;
  finishedAt: string | null;
  executionMs: number | null;
  error: string | null;
}

/** The raw engine's table: one row per applied (or failed non-atomic) migration. */
export class RawHistory {
  readonly #driver: Driver;
  readonly #table: string;
  readonly #name: string;
  readonly #schema: string | undefined;

  constructor(driver: Driver, table: string, schema: string | undefined) {
    this.#driver = driver;
    this.#name = table;
    this.#schema = schema;
    this.#table = driver.quote(table, schema);
  }

  async exists(): Promise<boolean> {
    return this.#driver.tableExists(this.#name, this.#schema);
  }

  async ensure(): Promise<void> {
    const { key, text, bigint } = this.#driver.types;
    if (this.#schema !== undefined) await this.#driver.exec(`CREATE SCHEMA IF NOT EXISTS ${this.#driver.quote(this.#schema)}`);
    await this.#driver.exec(
      `CREATE TABLE IF NOT EXISTS ${this.#table} (id ${key} PRIMARY KEY, checksum VARCHAR(64) NOT NULL, started_at VARCHAR(32) NOT NULL, finished_at VARCHAR(32), execution_ms ${bigint}, error ${text})`,
    );
  }

  async read(): Promise<HistoryRow[]> {
    if (!(await this.exists())) return [];
    return (await this.#driver.query<Record<string, unknown>>(`${this.#select} ORDER BY started_at, id`)).map(toRow);
  }

  /** The row of `id`; call inside the migration's transaction to see a concurrent runner's commit. */
  async find(id: string): Promise<HistoryRow | undefined> {
    return (await this.#driver.query<Record<string, unknown>>(`${this.#select} WHERE id = ?`, [id])).map(toRow)[0];
  }

  get #select(): string {
    return `SELECT id, checksum, started_at, finished_at, execution_ms, error FROM ${this.#table}`;
  }

  async insertFinished(id: string, checksum: string, startedAt: string, executionMs: number): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#table} (id, checksum, started_at, finished_at, execution_ms, error) VALUES (?, ?, ?, ?, ?, NULL)`,
      [id, checksum, startedAt, new Date().toISOString(), executionMs],
    );
  }

  async insertStarted(id: string, checksum: string, startedAt: string): Promise<void> {
    await this.#driver.query(
      `INSERT INTO ${this.#table} (id, checksum, started_at, finished_at, execution_ms, error) VALUES (?, ?, ?, NULL, NULL, NULL)`,
      [id, checksum, startedAt],
    );
  }

  async markFinished(id: string, executionMs: number): Promise<void> {
    await this.#driver.query(`UPDATE ${this.#table} SET finished_at = ?, execution_ms = ?, error = NULL WHERE id = ?`, [new Date().toISOString(), executionMs, id]);
  }

  async markUnfinished(id: string, error: string): Promise<void> {
    await this.#driver.query(`UPDATE ${this.#table} SET finished_at = NULL, error = ? WHERE id = ?`, [error, id]);
  }

  async delete(id: string): Promise<void> {
    await this.#driver.query(`DELETE FROM ${this.#table} WHERE id = ?`, [id]);
  }
}

function toRow(r: Record<string, unknown>): HistoryRow {
  return {
    id: String(r.id),
    checksum: String(r.checksum),
    startedAt: String(r.started_at),
    finishedAt: r.finished_at == null ? null : String(r.finished_at),
    executionMs: r.execution_ms == null ? null : Number(r.execution_ms),
    error: r.error == null ? null : String(r.error),
  };
}
