import mysql from "mysql2/promise";
import { scrubSecrets } from "../../errors.js";
import { SqlError, connectionFailed, lockTimeout, type Driver, type HeldLock, type LockSpec } from "../driver.js";
import { boundedName } from "../lock-key.js";

/** Connect timeout; a server that does not answer fails the database, not the run. */
export const MYSQL_CONNECT_TIMEOUT_MS = 10_000;
/** MySQL and MariaDB reject `GET_LOCK` names longer than this. */
const MAX_LOCK_NAME = 64;

/**
 * MySQL and MariaDB through mysql2. DDL commits implicitly, so `transactionalDdl` is false
 * and engines record a migration before running it.
 */
export class MysqlDriver implements Driver {
  readonly dialect = "mysql" as const;
  readonly transactionalDdl = false;
  readonly syntax = { dollarQuotes: false, backslashEscapes: true, hashComments: true, triggerBlocks: false, delimiterDirective: true };
  // Bookkeeping IDs compare byte for byte: under the default collations `001_users` = `001_Users`.
  readonly types = { key: "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", text: "TEXT", bigint: "BIGINT" };
  readonly schemas = false;
  readonly target: string;
  readonly #conn: mysql.Connection;
  readonly #secrets: string[];
  #database = "";

  private constructor(conn: mysql.Connection, target: string, secrets: string[]) {
    this.#conn = conn;
    this.target = target;
    this.#secrets = secrets;
    conn.on("error", () => undefined);
  }

  static async connect(url: string, target: string, secrets: string[]): Promise<MysqlDriver> {
    let conn: mysql.Connection;
    try {
      conn = await mysql.createConnection({ uri: url, connectTimeout: MYSQL_CONNECT_TIMEOUT_MS, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
    } catch (error) {
      throw connectionFailed(target, error, secrets);
    }
    const driver = new MysqlDriver(conn, target, secrets);
    const [row] = await driver.query<{ db: string | null }>("SELECT DATABASE() AS db");
    driver.#database = row?.db ?? "";
    return driver;
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const [rows] = await this.#run(() => this.#conn.query(sql, params as unknown[]));
    return Array.isArray(rows) ? (rows as T[]) : [];
  }

  async exec(statement: string): Promise<void> {
    await this.#run(() => this.#conn.query(statement));
  }

  async begin(): Promise<void> {
    await this.exec("START TRANSACTION");
  }

  async commit(): Promise<void> {
    await this.exec("COMMIT");
  }

  async rollback(): Promise<void> {
    await this.exec("ROLLBACK");
  }

  /** `GET_LOCK`: server-side, bounded wait, released when the session dies. */
  async lock(spec: LockSpec, timeoutMs: number): Promise<HeldLock> {
    const name = spec.exact ? spec.name : boundedName(`stagecraft:${this.#database}:${spec.name}`, MAX_LOCK_NAME);
    const [row] = await this.query<{ got: number | null }>("SELECT GET_LOCK(?, ?) AS got", [name, Math.max(timeoutMs / 1000, 0)]);
    if (Number(row?.got) !== 1) {
      const holders = await this.query<{ id: string; user: string; host: string; time: number }>(
        "SELECT id, user, host, time FROM information_schema.processlist WHERE id = IS_USED_LOCK(?)",
        [name],
      ).catch(() => []);
      const who = holders.map((h) => `connection ${h.id} (${h.user}@${h.host}, ${h.time} s in its current state)`);
      throw lockTimeout(name, this.target, timeoutMs, who);
    }
    return { release: async () => void (await this.query("SELECT RELEASE_LOCK(?)", [name])) };
  }

  async tableExists(table: string): Promise<boolean> {
    const rows = await this.query("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", [table]);
    return rows.length > 0;
  }

  async listTables(): Promise<string[]> {
    return (await this.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name")).map((r) => r.name);
  }

  /** DATETIME has no zone: UTC as `YYYY-MM-DD HH:MM:SS.mmm`. */
  timestampValue(date: Date): string {
    return date.toISOString().replace("T", " ").replace("Z", "");
  }

  quote(name: string): string {
    return `\`${name.replaceAll("`", "``")}\``;
  }

  async close(): Promise<void> {
    await this.#conn.end().catch(() => this.#conn.destroy());
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const message = (error as Error).message;
      const line = /at line (\d+)\s*$/.exec(message)?.[1];
      throw new SqlError(scrubSecrets(message, this.#secrets), (error as { code?: string }).code, line === undefined ? undefined : Number(line), { cause: error });
    }
  }
}
