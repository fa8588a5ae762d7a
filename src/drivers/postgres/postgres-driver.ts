import pg from "pg";
import { scrubSecrets, type StagecraftError } from "../../errors.js";
import { SqlError, type Driver, type HeldLock, type LockSpec } from "../driver.js";
import { ConnectError, connectionLost, isConnectionLoss, lockCancelled, lockTimeout } from "../connection-errors.js";
import type { ConnectTarget } from "../connection-options.js";
import { advisoryKey, backoff } from "../lock-key.js";
import { indexOfCodePoint, TextPositions } from "../../sql/text-position.js";
import { countingQuery, type CountedFailure } from "./counting-query.js";
import { StallWatch } from "../stall-watch.js";
import { closeClient, connectClient, createDatabase, destroyClient, probeSession, sessionSettings, terminateSession } from "./postgres-session.js";

export class PostgresDriver implements Driver {
  readonly dialect = "postgres" as const;
  readonly transactionalDdl = true;
  readonly syntax = { grammar: "postgres", multiStatementExec: true } as const;
  readonly types = { key: "VARCHAR(255)", text: "TEXT", bigint: "BIGINT" };
  readonly schemas = true;
  readonly target: string;
  readonly #client: pg.Client;
  readonly #secrets: string[];
  readonly #watch: StallWatch;
  /** The server's pid of this session (read with `pg_backend_pid()` once connected). */
  #pid: number;
  /**
   * `begin()` was called and `BEGIN` is not sent yet: it rides in front of the next script
   * (`exec`), saving a round trip per migration, or goes alone before any other request.
   */
  #beginPending = false;

  private constructor(client: pg.Client, url: string, at: ConnectTarget) {
    this.#client = client;
    this.target = at.target;
    this.#secrets = at.secrets;
    this.#pid = (client as unknown as { processID: number }).processID;
    this.#watch = new StallWatch({
      target: at.target,
      stallTimeoutMs: at.options.stallTimeoutMs,
      connectTimeoutMs: at.options.connectTimeoutMs,
      probe: () => probeSession(url, at, this.#pid),
      kill: () => terminateSession(url, at, this.#pid),
      destroy: () => destroyClient(client),
      ping: () => client.query("SELECT 1"),
    });
  }

  /**
   * Opens one session, bounded by the connect timeout, and sets it up so the server cleans up
   * after a vanished runner. The settings go in the startup packet (no round trip); a server
   * or pooler that refuses them there gets them as a query on a fresh connection.
   */
  static async connect(url: string, at: ConnectTarget): Promise<PostgresDriver> {
    const settings = sessionSettings(at.options.stallTimeoutMs);
    let client: pg.Client;
    try {
      client = await connectClient(url, at, settings.startup);
    } catch (error) {
      if (!(error instanceof ConnectError) || !refusedStartupSettings(error)) throw error;
      return PostgresDriver.#connectSettingByQuery(url, at, settings);
    }
    return new PostgresDriver(client, url, at);
  }

  static async #connectSettingByQuery(url: string, at: ConnectTarget, settings: ReturnType<typeof sessionSettings>): Promise<PostgresDriver> {
    const driver = new PostgresDriver(await connectClient(url, at), url, at);
    try {
      const result = await driver.#run(settings.sql, undefined, "setting up the session").catch((error: unknown) => {
        if (driver.#watch.dead) throw error;
        return driver.#run(settings.fallback, undefined, "setting up the session").catch(() => undefined);
      });
      const pid = (result?.rows[0] as { pid?: number } | undefined)?.pid;
      if (typeof pid === "number") driver.#pid = pid;
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
    await this.#sendBegin();
    let index = 0;
    const text = sql.replace(/\?/g, () => `$${++index}`);
    return (await this.#run(text, params as unknown[])).rows as T[];
  }

  /**
   * One round trip for the whole text, under the stall watch; a failure says how many of its
   * statements completed. A pending `BEGIN` goes in front of the text, on its first line.
   */
  async exec(sql: string): Promise<void> {
    const prefix = this.#beginPending ? BEGIN_PREFIX : "";
    this.#beginPending = false;
    try {
      await this.#watch.run("running a statement", () => countingQuery(this.#client, prefix + sql));
    } catch (failure) {
      const counted = isCountedFailure(failure) ? failure : undefined;
      const error = counted?.error ?? failure;
      // The server's position and count include the prefix; the caller knows only its own text.
      if (prefix !== "") shiftPosition(error, prefix.length);
      const completed = counted === undefined ? undefined : Math.max(0, counted.completed - (prefix === "" ? 0 : 1));
      throw this.#failure(error, sql, "running a statement", completed);
    }
  }

  async begin(): Promise<void> {
    if (this.#beginPending) await this.#sendBegin();
    this.#beginPending = true;
  }

  async commit(): Promise<void> {
    await this.#sendBegin();
    await this.#run("COMMIT", undefined, "committing");
  }

  /** The statement and `COMMIT` as one simple query: the values go in as escaped literals. */
  async queryAndCommit(sql: string, params: readonly unknown[]): Promise<void> {
    const prefix = this.#beginPending ? BEGIN_PREFIX : "";
    this.#beginPending = false;
    let index = 0;
    const text = sql.replace(/\?/g, () => literal(this.#client, params[index++]));
    try {
      await this.#watch.run("committing", () => countingQuery(this.#client, `${prefix}${text};\nCOMMIT`));
    } catch (failure) {
      const counted = isCountedFailure(failure) ? failure : undefined;
      throw this.#failure(counted?.error ?? failure, text, "committing");
    }
  }

  async rollback(): Promise<void> {
    // Nothing was sent since `begin()`: there is no transaction to roll back.
    if (this.#beginPending) {
      this.#beginPending = false;
      return;
    }
    await this.#run("ROLLBACK", undefined, "rolling back");
  }

  async #sendBegin(): Promise<void> {
    if (!this.#beginPending) return;
    this.#beginPending = false;
    await this.#run("BEGIN", undefined, "starting a transaction");
  }

  /**
   * Session advisory lock, released when the session ends (so a killed runner frees it).
   * Polls `pg_try_advisory_lock` instead of blocking in `pg_advisory_lock`: a waiter that sits
   * in one long statement would hold a snapshot, and `CREATE INDEX CONCURRENTLY` run by the
   * lock holder waits for every such snapshot — a deadlock.
   */
  async lock(spec: LockSpec, timeoutMs: number, signal?: AbortSignal): Promise<HeldLock> {
    const key = lockKey(spec);
    const deadline = Date.now() + timeoutMs;
    const wait = backoff();
    for (;;) {
      if (signal?.aborted) throw lockCancelled(spec.label ?? spec.name, this.target);
      // Also reads the backend pid: behind a pooler the pid of the startup message is not the server's.
      const [row] = await this.#rows<{ locked: boolean; pid: number }>("SELECT pg_try_advisory_lock($1::bigint) AS locked, pg_backend_pid() AS pid", [key], "taking the migration lock");
      if (typeof row?.pid === "number") this.#pid = row.pid;
      if (row?.locked) break;
      if (Date.now() >= deadline) throw await this.#lockTimeout(key, spec.label ?? spec.name, timeoutMs);
      await wait(signal).catch(() => undefined);
    }
    return { release: async () => void (await this.#rows("SELECT pg_advisory_unlock($1::bigint)", [key], "releasing the migration lock")) };
  }

  async tableExists(table: string, schema?: string): Promise<boolean> {
    const rows = await this.query<{ found: string | null }>("SELECT to_regclass(?) AS found", [this.quote(table, schema)]);
    return rows[0]?.found != null;
  }

  async listTables(): Promise<string[]> {
    return (await this.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")).map((r) => r.name);
  }

  timestampValue(date: Date): string {
    return date.toISOString();
  }

  quote(name: string, schema?: string): string {
    const q = (part: string): string => `"${part.replaceAll('"', '""')}"`;
    return schema === undefined ? q(name) : `${q(schema)}.${q(name)}`;
  }

  /** Bounded: a connection that stopped answering is cut instead of waiting for its goodbye. */
  async close(): Promise<void> {
    this.#watch.stop();
    if (this.#watch.dead) destroyClient(this.#client);
    else await closeClient(this.#client);
  }

  async #lockTimeout(key: string, name: string, timeoutMs: number): Promise<StagecraftError> {
    return lockTimeout(name, this.target, timeoutMs, await this.#holders(key));
  }

  lockHolders(spec: LockSpec): Promise<string[]> {
    return this.#holders(lockKey(spec));
  }

  /** Advisory locks are per database: only holders in this database are named. */
  async #holders(key: string): Promise<string[]> {
    const holders = await this.query<{ pid: number; application_name: string; client_addr: string | null; since: string }>(
      `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((l.classid::bigint << 32) | l.objid::bigint) = (?::bigint)`,
      [key],
    ).catch(() => []);
    return holders.map((h) => `pid ${h.pid} (${h.application_name || "unnamed"}${h.client_addr ? ` from ${h.client_addr}` : ""}, connected since ${h.since})`);
  }

  async #rows<T>(text: string, values: unknown[], phase: string): Promise<T[]> {
    return (await this.#run(text, values, phase)).rows as T[];
  }

  /** Every request goes through the stall watch; a dropped connection is a `connection_failed`, not a SQL error. */
  async #run(text: string, values?: unknown[], phase = "running a statement"): Promise<pg.QueryResult> {
    try {
      return await this.#watch.run(phase, () => this.#client.query(text, values));
    } catch (error) {
      throw this.#failure(error, text, phase);
    }
  }

  /** A stalled or dropped connection stays a `connection_failed` (and marks the session dead); anything else is the server's SQL error. */
  #failure(error: unknown, text: string, phase: string, completed?: number): Error {
    if (error === this.#watch.dead) return error as Error;
    if (isConnectionLoss(error)) {
      const lost = connectionLost(this.target, phase, error, this.#secrets);
      this.#watch.markDead(lost);
      return lost;
    }
    return this.#sqlError(error, text, completed);
  }

  /** The server's `position` counts characters from 1 in the text sent; it becomes a line of that text. */
  #sqlError(error: unknown, text: string, completed?: number): SqlError {
    const { position } = error as { position?: string };
    const line = position === undefined ? undefined : new TextPositions(text).line(indexOfCodePoint(text, Number(position) - 1));
    return new SqlError(scrubSecrets((error as Error).message, this.#secrets), (error as { code?: string }).code, line, {
      cause: error,
      ...(completed === undefined ? {} : { completed }),
    });
  }
}

/** Sent in front of the first script of a transaction; no newline, so the script's lines keep their numbers. */
const BEGIN_PREFIX = "BEGIN;";

/** A value as a PostgreSQL literal (pg's own escaping: doubled quotes, `E''` when backslashes). */
function literal(client: pg.Client, value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return client.escapeLiteral(String(value));
}

/** Moves a server error's `position` back by `by` characters, into the caller's text. */
function shiftPosition(error: unknown, by: number): void {
  const holder = error as { position?: string } | null;
  if (holder?.position === undefined) return;
  const shifted = Number(holder.position) - by;
  if (shifted >= 1) holder.position = String(shifted);
  else delete holder.position;
}

/**
 * The server or a pooler refused the settings of the startup packet: PostgreSQL before 14 does
 * not know `client_connection_check_interval` (42704), a platform without keepalive settings
 * refuses their values (22023), PgBouncer refuses the `options` parameter (08P01).
 */
function refusedStartupSettings(error: ConnectError): boolean {
  return ["42704", "22023", "08P01"].includes(error.context.driverCode ?? "") || /startup parameter|unrecognized configuration parameter/i.test(error.message);
}

function isCountedFailure(value: unknown): value is CountedFailure {
  return value !== null && typeof value === "object" && "error" in value && "completed" in value;
}

/** The advisory-lock key of `spec`, as a bigint literal. */
function lockKey(spec: LockSpec): string {
  return (spec.advisoryKey ?? advisoryKey(`stagecraft:${spec.name}`)).toString();
}
