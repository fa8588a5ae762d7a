import type { SqlDialect } from "../sql/statement.js";

export type Dialect = "sqlite" | "postgres" | "mysql";

/** How a dialect's migration scripts are read and sent (see docs/engines.md, "How each engine executes a file"). */
export interface SqlSyntax {
  /** The grammar that splits scripts into statements (`splitStatements` in src/sql). */
  grammar: SqlDialect;
  /**
   * `exec` takes several statements in one text, runs them in one round trip and, when one
   * fails, says how many completed and where (PostgreSQL's simple query protocol). Scripts that
   * run inside a transaction are then sent whole, as Prisma sends a migration.
   */
  multiStatementExec: boolean;
}

/** Names a migration lock. Drivers scope `name` to the current database unless `exact`. */
export interface LockSpec {
  /** Derives the lock's key: never change it for an existing engine (runners of two versions must exclude each other). */
  name: string;
  /** How messages name the lock (`slow_migrations`, not the key's `.slow_migrations`). @default name */
  label?: string;
  /** PostgreSQL advisory lock key to use instead of one derived from `name`. */
  advisoryKey?: bigint;
  /** Use `name` as the server-wide lock name as is (MySQL `GET_LOCK`). */
  exact?: boolean;
}

export interface HeldLock {
  release(): Promise<void>;
}

export interface ColumnTypes {
  /** Short text, usable as a primary key (ids, names, checksums). */
  key: string;
  text: string;
  bigint: string;
}

/**
 * One open connection to one database. Every method runs on that single connection, so a
 * transaction begun with `begin()` covers every later call until `commit()`/`rollback()`.
 */
export interface Driver {
  readonly dialect: Dialect;
  /** DDL is rolled back with its transaction (SQLite, PostgreSQL; not MySQL). */
  readonly transactionalDdl: boolean;
  readonly syntax: SqlSyntax;
  readonly types: ColumnTypes;
  /** Tables can live in a named schema (PostgreSQL). */
  readonly schemas: boolean;
  /** The connection URL with only its password replaced by `***` (`postgres://app:***@db:5432/orders`). */
  readonly target: string;
  /** Runs one parameterised statement (`?` placeholders) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Runs SQL of a migration script as written: one statement, or several where
   * `syntax.multiStatementExec`. Throws {@link SqlError} when the server rejects it.
   */
  exec(sql: string): Promise<void>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  /**
   * Runs one parameterised statement and commits the open transaction, in one round trip
   * where the driver can (PostgreSQL sends both as one simple query). Absent: `query` then
   * `commit`. When the statement fails nothing is committed and the caller rolls back.
   */
  queryAndCommit?(sql: string, params: readonly unknown[]): Promise<void>;
  rollback(): Promise<void>;
  /**
   * Takes the lock, waiting at most `timeoutMs`; throws `lock_timeout` naming the holder, or
   * `cancelled` as soon as `signal` fires (a cancelled run does not sit out the lock timeout).
   */
  lock(spec: LockSpec, timeoutMs: number, signal?: AbortSignal): Promise<HeldLock>;
  /**
   * Who holds `spec`'s lock now, as the server (SQLite: the kernel) sees them, one description
   * each and never a secret; `[]` when it cannot tell. For the "waiting for the migration lock"
   * notice, asked while `lock` waits.
   */
  lockHolders?(spec: LockSpec): Promise<string[]>;
  tableExists(table: string, schema?: string): Promise<boolean>;
  /** Tables of the current database (PostgreSQL: the current schema), without system tables. */
  listTables(): Promise<string[]>;
  /** `date` as a value this dialect's datetime/timestamp columns accept (always UTC). */
  timestampValue(date: Date): string;
  /** Quotes an identifier; `schema.table` when schema is given. */
  quote(name: string, schema?: string): string;
  close(): Promise<void>;
}

/** A statement the server rejected, with what the server said about where and why. */
/** A server message longer than this is cut: a `RAISE` of a huge value must not flood every report and log. */
export const MAX_SQL_ERROR_CHARS = 4_000;

export class SqlError extends Error {
  constructor(
    message: string,
    /** SQLSTATE, errno code name or SQLITE_* code. */
    readonly code: string | undefined,
    /** 1-based line inside the text sent, when the server said. */
    readonly lineInStatement: number | undefined,
    options?: { cause?: unknown; completed?: number },
  ) {
    // Scrubbed by the driver before it gets here, so a cut never leaves half a secret behind.
    super(message.length > MAX_SQL_ERROR_CHARS ? `${message.slice(0, MAX_SQL_ERROR_CHARS)}… (${message.length - MAX_SQL_ERROR_CHARS} more characters)` : message, options);
    this.name = "SqlError";
    this.completed = options?.completed;
  }

  /** Statements of a multi-statement text that completed before the failing one. */
  readonly completed: number | undefined;
}

/** Runs `sql` and commits: one round trip where the driver offers {@link Driver.queryAndCommit}. */
export async function queryAndCommit(driver: Driver, sql: string, params: readonly unknown[]): Promise<void> {
  if (driver.queryAndCommit) return driver.queryAndCommit(sql, params);
  await driver.query(sql, params);
  await driver.commit();
}

/** SQLSTATE / errno names / SQLite codes of a unique or primary key violation. */
const UNIQUE_VIOLATION_CODES = new Set(["23505", "ER_DUP_ENTRY", "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"]);

/** The server refused a row because its key is taken: for bookkeeping rows, another runner recorded it first. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof SqlError && error.code !== undefined && UNIQUE_VIOLATION_CODES.has(error.code);
}

/** Runs `fn` inside a transaction on `driver`: commit on success, rollback on error. */
export async function inTransaction<T>(driver: Driver, fn: () => Promise<T>): Promise<T> {
  await driver.begin();
  try {
    const result = await fn();
    await driver.commit();
    return result;
  } catch (error) {
    await driver.rollback().catch(() => undefined);
    throw error;
  }
}
