export type Dialect = "sqlite" | "postgres" | "mysql";

/** What a SQL script splitter must understand for a dialect. */
export interface SqlSyntax {
  /** PostgreSQL `$tag$ … $tag$` bodies. */
  dollarQuotes: boolean;
  /** MySQL `\'` inside string literals. */
  backslashEscapes: boolean;
  /** MySQL `# comment`. */
  hashComments: boolean;
  /** SQLite `CREATE TRIGGER … BEGIN …; END;` bodies. */
  triggerBlocks: boolean;
  /** mysql-client `DELIMITER $$` lines. */
  delimiterDirective: boolean;
}

/** Names a migration lock. Drivers scope `name` to the current database unless `exact`. */
export interface LockSpec {
  name: string;
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
  /** Runs one statement of a migration script, as written. */
  exec(statement: string): Promise<void>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /**
   * Takes the lock, waiting at most `timeoutMs`; throws `lock_timeout` naming the holder, or
   * `cancelled` as soon as `signal` fires (a cancelled run does not sit out the lock timeout).
   */
  lock(spec: LockSpec, timeoutMs: number, signal?: AbortSignal): Promise<HeldLock>;
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
export class SqlError extends Error {
  constructor(
    message: string,
    /** SQLSTATE, errno code name or SQLITE_* code. */
    readonly code: string | undefined,
    /** 1-based line inside the statement, when the server said. */
    readonly lineInStatement: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SqlError";
  }
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
