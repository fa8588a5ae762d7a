import type { Driver } from "../../drivers/driver.js";

export interface Unfinished {
  id: string;
  startedAt: string;
  error: string | null;
}

/**
 * A side table of ours for engines whose bookkeeping format has no "failed" state (drizzle):
 * a non-atomic migration is marked here before it runs and unmarked once its row is written,
 * so a failure or a killed runner leaves a visible record that blocks until resolved.
 */
export class UnfinishedMarkers {
  readonly #driver: Driver;
  readonly #name: string;
  readonly #table: string;

  constructor(driver: Driver, table: string) {
    this.#driver = driver;
    this.#name = table;
    this.#table = driver.quote(table);
  }

  async list(): Promise<Unfinished[]> {
    if (!(await this.#driver.tableExists(this.#name))) return [];
    const rows = await this.#driver.query<{ id: string; started_at: string; error: string | null }>(`SELECT id, started_at, error FROM ${this.#table} ORDER BY started_at`);
    return rows.map((r) => ({ id: String(r.id), startedAt: String(r.started_at), error: r.error == null ? null : String(r.error) }));
  }

  async mark(id: string): Promise<void> {
    const { key, text } = this.#driver.types;
    await this.#driver.exec(`CREATE TABLE IF NOT EXISTS ${this.#table} (id ${key} PRIMARY KEY, started_at VARCHAR(32) NOT NULL, error ${text})`);
    await this.#driver.query(`INSERT INTO ${this.#table} (id, started_at, error) VALUES (?, ?, NULL)`, [id, new Date().toISOString()]);
  }

  async fail(id: string, error: string): Promise<void> {
    await this.#driver.query(`UPDATE ${this.#table} SET error = ? WHERE id = ?`, [error, id]);
  }

  async clear(id: string): Promise<void> {
    if (await this.#driver.tableExists(this.#name)) await this.#driver.query(`DELETE FROM ${this.#table} WHERE id = ?`, [id]);
  }
}
