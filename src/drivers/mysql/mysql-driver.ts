import type mysql from "mysql2/promise";
import { scrubSecrets } from "../../errors.js";
import { SqlError, type Driver, type HeldLock, type LockSpec } from "../driver.js";
import { connectionLost, isConnectionLoss, lockCancelled, lockTimeout } from "../connection-errors.js";
import type { ConnectTarget } from "../connection-options.js";
import { boundedName } from "../lock-key.js";
import { StallWatch } from "../stall-watch.js";
import { LOCK_HOLDERS_SQL, closeConnection, createDatabase, describeHolders, destroyConnection, killSession, lockHolders, openConnection, probeSession, sessionSettingsSql } from "./mysql-session.js";

/** MySQL and MariaDB reject `GET_LOCK` names longer than this. */
const MAX_LOCK_NAME = 64;

/**
 * MySQL and MariaDB through mysql2. DDL commits implicitly, so `transactionalDdl` is false
 * and engines record a migration before running it.
 */
export class MysqlDriver implements Driver {
  readonly dialect = "mysql" as const;
  readonly transactionalDdl = false;
  readonly syntax = { grammar: "mysql", multiStatementExec: false } as const;
  // Bookkeeping IDs compare byte for byte: under the default collations `001_users` = `001_Users`.
  readonly types = { key: "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", text: "TEXT", bigint: "BIGINT" };
  readonly schemas = false;
  readonly target: string;
  readonly #conn: mysql.Connection;
  readonly #secrets: string[];
  readonly #watch: StallWatch;
  readonly #kill: (what: "CONNECTION" | "QUERY") => Promise<void>;
  readonly #holders: (name: string) => Promise<string[]>;
  #database = "";
  /** The server's id of this session (read with `CONNECTION_ID()` once connected; a proxy may renumber). */
  #id: number;

  private constructor(conn: mysql.Connection, url: string, at: ConnectTarget) {
    this.#conn = conn;
    this.target = at.target;
    this.#secrets = at.secrets;
    this.#id = conn.threadId;
    this.#kill = (what) => killSession(url, at, this.#id, what);
    this.#holders = (name) => lockHolders(url, at, name);
    this.#watch = new StallWatch({
      target: at.target,
      stallTimeoutMs: at.options.stallTimeoutMs,
      connectTimeoutMs: at.options.connectTimeoutMs,
      probe: () => probeSession(url, at, this.#id),
      kill: () => this.#kill("CONNECTION"),
      destroy: () => destroyConnection(conn),
      ping: () => conn.query("SELECT 1"),
    });
  }

  /** Opens one session, bounded by the connect timeout, and sets it up so the server cleans up after a vanished runner. */
  static async connect(url: string, at: ConnectTarget): Promise<MysqlDriver> {
    const driver = new MysqlDriver(await openConnection(url, at), url, at);
    try {
      await driver.#run(() => driver.#conn.query(sessionSettingsSql(at.options.stallTimeoutMs)), "setting up the session");
      const [row] = await driver.query<{ db: string | null; id: number | string }>("SELECT DATABASE() AS db, CONNECTION_ID() AS id");
      driver.#database = row?.db ?? "";
      if (row?.id !== undefined) driver.#id = Number(row.id);
    } catch (error) {
      await driver.close();
      throw error;
    }
    return driver;
  }

  /** Creates the database of `url` (for `createDatabase`); the caller connects again. */
  static async createDatabase(url: string, at: ConnectTarget, name: string): Promise<void> {
    await createDatabase(url, at, name);
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const [rows] = await this.#run(() => this.#conn.query(sql, params as unknown[]));
    return Array.isArray(rows) ? (rows as T[]) : [];
  }

  /** One statement: the connection has no `multipleStatements`, so a failure always names its statement. */
  async exec(sql: string): Promise<void> {
    await this.#run(() => this.#conn.query(sql));
  }

  async begin(): Promise<void> {
    await this.#run(() => this.#conn.query("START TRANSACTION"), "starting a transaction");
  }

  async commit(): Promise<void> {
    await this.#run(() => this.#conn.query("COMMIT"), "committing");
  }

  async rollback(): Promise<void> {
    await this.#run(() => this.#conn.query("ROLLBACK"), "rolling back");
  }

  /**
   * `GET_LOCK`: server-side, bounded wait, released when the session dies. A cancelled run
   * interrupts the wait with `KILL QUERY` from a second connection, and waits for that kill to
   * land before this session runs anything else (so it cannot hit a later statement).
   */
  async lock(spec: LockSpec, timeoutMs: number, signal?: AbortSignal): Promise<HeldLock> {
    const name = this.#lockName(spec);
    const label = spec.label ?? spec.name;
    if (signal?.aborted) throw lockCancelled(label, this.target);
    let interrupting: Promise<void> | undefined;
    const onAbort = (): void => void (interrupting = this.#kill("QUERY").catch(() => undefined));
    signal?.addEventListener("abort", onAbort, { once: true });
    let got: number;
    try {
      const [row] = await this.#rows<{ got: number | null }>("SELECT GET_LOCK(?, ?) AS got", [name, Math.max(timeoutMs / 1000, 0)], "waiting for the migration lock");
      got = Number(row?.got);
    } catch (error) {
      if (!signal?.aborted) throw error;
      got = 0;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await interrupting;
    }
    if (signal?.aborted) {
      if (got === 1) await this.#rows("SELECT RELEASE_LOCK(?)", [name], "releasing the migration lock").catch(() => undefined);
      throw lockCancelled(label, this.target);
    }
    if (got !== 1) {
      const who = describeHolders(await this.query<{ id: string; user: string; host: string; time: number }>(LOCK_HOLDERS_SQL, [name]).catch(() => []));
      // The GET_LOCK name too: what a DBA passes to IS_USED_LOCK() to find the holder.
      throw lockTimeout(label, this.target, timeoutMs, who, name);
    }
    return { release: async () => void (await this.#rows("SELECT RELEASE_LOCK(?)", [name], "releasing the migration lock")) };
  }

  /** Asked over a second connection: this session is busy in `GET_LOCK` while it waits. */
  lockHolders(spec: LockSpec): Promise<string[]> {
    return this.#holders(this.#lockName(spec));
  }

  #lockName(spec: LockSpec): string {
    return spec.exact ? spec.name : boundedName(`stagecraft:${this.#database}:${spec.name}`, MAX_LOCK_NAME);
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

  /** Bounded: a connection that stopped answering is cut instead of waiting for its goodbye. */
  async close(): Promise<void> {
    this.#watch.stop();
    if (this.#watch.dead) destroyConnection(this.#conn);
    else await closeConnection(this.#conn);
  }

  async #rows<T>(sql: string, params: unknown[], phase: string): Promise<T[]> {
    const [rows] = await this.#run(() => this.#conn.query(sql, params), phase);
    return Array.isArray(rows) ? (rows as T[]) : [];
  }

  /** Every request goes through the stall watch; a dropped connection is a `connection_failed`, not a SQL error. */
  async #run<T>(fn: () => Promise<T>, phase = "running a statement"): Promise<T> {
    try {
      return await this.#watch.run(phase, fn);
    } catch (error) {
      if (error === this.#watch.dead) throw error;
      if (isConnectionLoss(error)) {
        const lost = connectionLost(this.target, phase, error, this.#secrets);
        this.#watch.markDead(lost);
        throw lost;
      }
      const message = (error as Error).message;
      const line = /at line (\d+)\s*$/.exec(message)?.[1];
      throw new SqlError(scrubSecrets(message, this.#secrets), (error as { code?: string }).code, line === undefined ? undefined : Number(line), { cause: error });
    }
  }
}
