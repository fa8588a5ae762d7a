import pg from "pg";
import { scrubSecrets, type StagecraftError } from "../../errors.js";
import { SqlError, connectionFailed, lockTimeout, type Driver, type HeldLock, type LockSpec } from "../driver.js";
import { advisoryKey, backoff } from "../lock-key.js";
import { indexOfCodePoint, TextPositions } from "../../sql/text-position.js";
import { countingQuery, type CountedFailure } from "./counting-query.js";

/** Connect timeout; a server that does not answer fails the database, not the run. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;
/** How often the server checks that our connection is still there during a long statement. */
const CLIENT_CHECK_INTERVAL_MS = 1_000;

export class PostgresDriver implements Driver {
  readonly dialect = "postgres" as const;
  readonly transactionalDdl = true;
  readonly syntax = { grammar: "postgres", multiStatementExec: true } as const;
  readonly types = { key: "VARCHAR(255)", text: "TEXT", bigint: "BIGINT" };
  readonly schemas = true;
  readonly target: string;
  readonly #client: pg.Client;
  readonly #secrets: string[];

  private constructor(client: pg.Client, target: string, secrets: string[]) {
    this.#client = client;
    this.target = target;
    this.#secrets = secrets;
    // A dropped connection must not crash the thread; the next query reports it.
    client.on("error", () => undefined);
  }

  static async connect(url: string, target: string, secrets: string[]): Promise<PostgresDriver> {
    const client = new pg.Client({ connectionString: url, application_name: "stagecraft", connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw connectionFailed(target, error, secrets);
    }
    // PostgreSQL 14+: notice a vanished client during a long statement, so a killed runner's
    // transaction and advisory lock go away within a second, not when the statement ends.
    await client.query(`SET client_connection_check_interval = ${CLIENT_CHECK_INTERVAL_MS}`).catch(() => undefined);
    return new PostgresDriver(client, target, secrets);
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    let index = 0;
    const text = sql.replace(/\?/g, () => `$${++index}`);
    return (await this.#run(text, params as unknown[])).rows as T[];
  }

  /** One round trip for the whole text; a failure says how many of its statements completed. */
  async exec(sql: string): Promise<void> {
    try {
      await countingQuery(this.#client, sql);
    } catch (failure) {
      const { error, completed } = failure as CountedFailure;
      throw this.#sqlError(error, sql, completed);
    }
  }

  async begin(): Promise<void> {
    await this.#run("BEGIN");
  }

  async commit(): Promise<void> {
    await this.#run("COMMIT");
  }

  async rollback(): Promise<void> {
    await this.#run("ROLLBACK");
  }

  /**
   * Session advisory lock, released when the session ends (so a killed runner frees it).
   * Polls `pg_try_advisory_lock` instead of blocking in `pg_advisory_lock`: a waiter that sits
   * in one long statement would hold a snapshot, and `CREATE INDEX CONCURRENTLY` run by the
   * lock holder waits for every such snapshot — a deadlock.
   */
  async lock(spec: LockSpec, timeoutMs: number): Promise<HeldLock> {
    const key = (spec.advisoryKey ?? advisoryKey(`stagecraft:${spec.name}`)).toString();
    const deadline = Date.now() + timeoutMs;
    const wait = backoff();
    for (;;) {
      const [row] = await this.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(?::bigint) AS locked", [key]);
      if (row?.locked) break;
      if (Date.now() >= deadline) throw await this.#lockTimeout(key, spec.name, timeoutMs);
      await wait();
    }
    return { release: async () => void (await this.query("SELECT pg_advisory_unlock(?::bigint)", [key])) };
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

  async close(): Promise<void> {
    await this.#client.end().catch(() => undefined);
  }

  async #lockTimeout(key: string, name: string, timeoutMs: number): Promise<StagecraftError> {
    const holders = await this.query<{ pid: number; application_name: string; client_addr: string | null; since: string }>(
      `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND ((l.classid::bigint << 32) | l.objid::bigint) = (?::bigint)`,
      [key],
    ).catch(() => []);
    const who = holders.map((h) => `pid ${h.pid} (${h.application_name || "unnamed"}${h.client_addr ? ` from ${h.client_addr}` : ""}, connected since ${h.since})`);
    return lockTimeout(name, this.target, timeoutMs, who);
  }

  async #run(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.#client.query(text, values);
    } catch (error) {
      throw this.#sqlError(error, text);
    }
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
