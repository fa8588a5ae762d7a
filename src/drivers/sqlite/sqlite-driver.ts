import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StagecraftError } from "../../errors.js";
import { SqlError, type Driver, type HeldLock, type LockSpec } from "../driver.js";

/** SQLite pragmas that may be set through the URL, e.g. `sqlite:app.db?journal_mode=wal`. */
const URL_PRAGMAS = new Set(["journal_mode", "synchronous", "foreign_keys", "busy_timeout"]);

/**
 * SQLite through better-sqlite3. There is no separate lock: migrations run in
 * `BEGIN IMMEDIATE` transactions, which take SQLite's write lock, and waiting for it is
 * bounded by `busy_timeout` (set from the lock timeout).
 */
export class SqliteDriver implements Driver {
  readonly dialect = "sqlite" as const;
  readonly transactionalDdl = true;
  /** Scripts run statement by statement: SQLite's errors carry no position, so the split names the line. */
  readonly syntax = { grammar: "sqlite", multiStatementExec: false } as const;
  readonly types = { key: "TEXT", text: "TEXT", bigint: "INTEGER" };
  readonly schemas = false;
  readonly target: string;
  readonly #db: Database.Database;
  #lockTimeoutMs = 5_000;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(path: string, options: Record<string, string>, target: string) {
    this.target = target;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    try {
      this.#db = new Database(path);
    } catch (error) {
      throw new StagecraftError("connection_failed", `cannot open SQLite database ${target}: ${(error as Error).message}`);
    }
    for (const [key, value] of Object.entries(options)) {
      if (!URL_PRAGMAS.has(key) || !/^[A-Za-z0-9_]+$/.test(value)) {
        this.#db.close();
        throw new StagecraftError("invalid_config", `unsupported SQLite URL option ${key}=${value}; allowed: ${[...URL_PRAGMAS].join(", ")}`);
      }
      this.#db.pragma(`${key} = ${value}`);
    }
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.#run(() => {
      const statement = this.#prepared(sql);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    });
  }

  async exec(sql: string): Promise<void> {
    this.#run(() => this.#db.exec(sql));
  }

  async begin(): Promise<void> {
    this.#run(() => this.#db.exec("BEGIN IMMEDIATE"));
  }

  async commit(): Promise<void> {
    this.#run(() => this.#db.exec("COMMIT"));
  }

  async rollback(): Promise<void> {
    if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
  }

  async lock(_spec: LockSpec, timeoutMs: number): Promise<HeldLock> {
    this.#lockTimeoutMs = timeoutMs;
    this.#db.pragma(`busy_timeout = ${timeoutMs}`);
    return { release: async () => undefined };
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
