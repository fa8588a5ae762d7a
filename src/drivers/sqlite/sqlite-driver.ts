import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StagecraftError } from "../../errors.js";
import { SqlError, type Driver, type HeldLock, type LockSpec } from "../driver.js";
import { sqliteLockHolders, takeSqliteLock } from "./sqlite-lock.js";

/** SQLite pragmas that may be set through the URL, e.g. `sqlite:app.db?journal_mode=wal`. */
const URL_PRAGMAS = new Set(["journal_mode", "synchronous", "foreign_keys", "busy_timeout"]);

/**
 * SQLite through better-sqlite3. Runs hold a cross-process migration lock for their whole
 * duration (see {@link takeSqliteLock}); each migration also runs in `BEGIN IMMEDIATE`, whose wait
 * for writers outside stagecraft is bounded by `busy_timeout` (set from the lock timeout).
 *
 * A database file that does not exist yet is created by the first write, not by opening it: until
 * then reads see an empty database, so a plan never creates the file or its folders.
 */
export class SqliteDriver implements Driver {
  readonly dialect = "sqlite" as const;
  readonly transactionalDdl = true;
  /** Scripts run statement by statement: SQLite's errors carry no position, so the split names the line. */
  readonly syntax = { grammar: "sqlite", multiStatementExec: false } as const;
  readonly types = { key: "TEXT", text: "TEXT", bigint: "INTEGER" };
  readonly schemas = false;
  readonly target: string;
  readonly #path: string;
  readonly #pragmas: [string, string][];
  #db: Database.Database;
  /** The file does not exist yet: `#db` is an empty in-memory stand-in until the first write. */
  #deferred = false;
  /** Device and inode of the file as opened: a file deleted or replaced mid-run is detected. */
  #identity: string | undefined;
  #lockTimeoutMs = 5_000;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(path: string, options: Record<string, string>, target: string) {
    this.target = target;
    this.#path = path;
    for (const [key, value] of Object.entries(options)) {
      if (!URL_PRAGMAS.has(key) || !/^[A-Za-z0-9_]+$/.test(value)) {
        throw new StagecraftError("invalid_config", `unsupported SQLite URL option ${key}=${value}; allowed: ${[...URL_PRAGMAS].join(", ")}`);
      }
    }
    this.#pragmas = Object.entries(options);
    if (path !== ":memory:" && !existsSync(path)) {
      this.#deferred = true;
      this.#db = new Database(":memory:");
      return;
    }
    this.#db = this.#open();
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.#run(() => {
      let statement = this.#prepared(sql);
      if (statement.reader) return statement.all(...params) as T[];
      if (this.#deferred) {
        this.#materialize();
        statement = this.#prepared(sql);
      }
      statement.run(...params);
      if (!this.#db.inTransaction) this.#checkIdentity();
      return [];
    });
  }

  async exec(sql: string): Promise<void> {
    this.#run(() => {
      this.#materialize();
      this.#db.exec(sql);
    });
  }

  async begin(): Promise<void> {
    this.#run(() => {
      this.#materialize();
      this.#db.exec("BEGIN IMMEDIATE");
    });
  }

  async commit(): Promise<void> {
    this.#run(() => this.#db.exec("COMMIT"));
    this.#checkIdentity();
  }

  async rollback(): Promise<void> {
    if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
  }

  async lock(_spec: LockSpec, timeoutMs: number, signal?: AbortSignal): Promise<HeldLock> {
    this.#lockTimeoutMs = timeoutMs;
    if (this.#path === ":memory:") return { release: async () => undefined };
    this.#run(() => this.#materialize());
    this.#db.pragma(`busy_timeout = ${timeoutMs}`);
    const release = await takeSqliteLock(this.#path, this.target, timeoutMs, signal);
    return {
      release: async () => {
        release();
        this.#checkIdentity();
      },
    };
  }

  async lockHolders(): Promise<string[]> {
    return this.#path === ":memory:" ? [] : sqliteLockHolders(this.#path);
  }

  async tableExists(table: string): Promise<boolean> {
    return this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
  }

  async listTables(): Promise<string[]> {
    return (this.#db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  }

  timestampValue(date: Date): string {
    return date.toISOString();
  }

  quote(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #open(): Database.Database {
    let db: Database.Database;
    try {
      mkdirSync(dirname(this.#path), { recursive: true });
      db = new Database(this.#path);
    } catch (error) {
      throw new StagecraftError("connection_failed", `cannot open SQLite database ${this.target}: ${(error as Error).message}`, { ...errorCode(error) });
    }
    try {
      for (const [key, value] of this.#pragmas) db.pragma(`${key} = ${value}`);
    } catch (error) {
      db.close();
      throw new StagecraftError("connection_failed", `cannot set up SQLite database ${this.target}: ${(error as Error).message}`, { ...errorCode(error) });
    }
    if (this.#path !== ":memory:") {
      const stat = statSync(this.#path);
      this.#identity = `${stat.dev}:${stat.ino}`;
    }
    return db;
  }

  /** Creates the file on the first write (see the class comment). */
  #materialize(): void {
    if (!this.#deferred) return;
    const db = this.#open();
    this.#db.close();
    this.#db = db;
    this.#deferred = false;
    this.#statements.clear();
  }

  /**
   * A connection keeps writing to a file that was deleted or replaced under it (WAL mode
   * included): everything would look applied and be lost. Checked after each commit.
   */
  #checkIdentity(): void {
    if (this.#identity === undefined) return;
    let now: string | undefined;
    try {
      const stat = statSync(this.#path);
      now = `${stat.dev}:${stat.ino}`;
    } catch {
      now = undefined;
    }
    if (now === this.#identity) return;
    throw new StagecraftError("connection_failed", `SQLite database ${this.target} was ${now === undefined ? "deleted" : "replaced by another file"} while stagecraft was migrating it; what this run wrote went to the old file and is lost`, {
      hint: "find out what removed the file (a cleanup job, a redeploy, a second tool) and run stagecraft again on the database you mean to keep",
    });
  }

  /** Bookkeeping statements repeat once per migration: prepare each text once per connection. */
  #prepared(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof StagecraftError) throw error;
      const code = (error as { code?: string }).code;
      if (code === "SQLITE_BUSY") {
        throw new StagecraftError("lock_timeout", `timed out after ${this.#lockTimeoutMs} ms waiting for the write lock of SQLite database ${this.target}; another process holds it`, {
          driverCode: code,
          hint: "wait for the other migration run to finish, or raise migrations.lock_timeout_ms",
        });
      }
      throw new SqlError((error as Error).message, code, undefined, { cause: error });
    }
  }
}

function errorCode(error: unknown): { driverCode?: string } {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" ? { driverCode: code } : {};
}
