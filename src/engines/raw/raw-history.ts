import { isUniqueViolation, queryAndCommit, type Driver } from "../../drivers/driver.js";

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
  /** `ensure` ran on this connection: the table exists, reading needs no probe first. */
  #ensured = false;

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
    this.#ensured = true;
  }

  async read(): Promise<HistoryRow[]> {
    if (!this.#ensured && !(await this.exists())) return [];
    return (await this.#driver.query<Record<string, unknown>>(`${this.#select} ORDER BY started_at, id`)).map(toRow);
  }

  /** The row of `id`; call inside the migration's transaction to see a concurrent runner's commit. */
  async find(id: string): Promise<HistoryRow | undefined> {
    return (await this.#driver.query<Record<string, unknown>>(`${this.#select} WHERE id = ?`, [id])).map(toRow)[0];
  }

  get #select(): string {
    return `SELECT id, checksum, started_at, finished_at, execution_ms, error FROM ${this.#table}`;
  }

  /**
   * Records a migration that ran inside the open transaction and, with `commit`, commits it
   * in the same round trip where the driver can. Returns the row as written, so the plan
   * after a run needs no second read of the table.
   */
  async insertFinished(id: string, checksum: string, startedAt: string, executionMs: number, options: { commit?: boolean } = {}): Promise<HistoryRow> {
    const row: HistoryRow = { id, checksum, startedAt, finishedAt: new Date().toISOString(), executionMs, error: null };
    const sql = `INSERT INTO ${this.#table} (id, checksum, started_at, finished_at, execution_ms, error) VALUES (?, ?, ?, ?, ?, NULL)`;
    const params = [id, checksum, startedAt, row.finishedAt, executionMs];
    if (options.commit) await queryAndCommit(this.#driver, sql, params);
    else await this.#driver.query(sql, params);
    return row;
  }

  /**
   * Claims a migration before it runs outside a transaction: one INSERT, whose primary key
   * refuses a second claim. False when the row exists (another runner claimed it first).
   */
  async claim(id: string, checksum: string, startedAt: string): Promise<boolean> {
    try {
      await this.#driver.query(
        `INSERT INTO ${this.#table} (id, checksum, started_at, finished_at, execution_ms, error) VALUES (?, ?, ?, NULL, NULL, NULL)`,
        [id, checksum, startedAt],
      );
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Returns the time written as `finished_at`. */
  async markFinished(id: string, executionMs: number): Promise<string> {
    const finishedAt = new Date().toISOString();
    await this.#driver.query(`UPDATE ${this.#table} SET finished_at = ?, execution_ms = ?, error = NULL WHERE id = ?`, [finishedAt, executionMs, id]);
    return finishedAt;
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
