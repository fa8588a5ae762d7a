import type { Knex } from "knex";
import { parseConnectionUrl } from "../../drivers/url.js";
import type { Dialect } from "../../drivers/driver.js";
import type { PlanOptions } from "../../registry/engine.js";

/** Messages knex would print; the library never prints, so they are dropped. */
const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} };

/**
 * SQL that makes creating knex's tables exclusive on SQLite, where stagecraft's lock is only
 * SQLite's write lock: `BEGIN IMMEDIATE` on knex's single connection. Elsewhere the server lock
 * stagecraft holds around the run already keeps other runners out.
 */
export const EXCLUSIVE_BEGIN: Record<Dialect, string | undefined> = { sqlite: "BEGIN IMMEDIATE", postgres: undefined, mysql: undefined };

/** The knex client for each dialect, chosen from the connection URL. */
const CLIENTS: Record<Dialect, (location: string, options: Record<string, string>, lockTimeoutMs: number) => Knex.Config> = {
  sqlite: (filename, options, lockTimeoutMs) => ({
    client: "better-sqlite3",
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { pragma(sql: string): unknown }, done: (error: Error | null, conn: unknown) => void) => {
        conn.pragma(`busy_timeout = ${lockTimeoutMs}`);
        for (const [key, value] of Object.entries(options)) if (/^[a-z_]+$/.test(key) && /^\w+$/.test(value)) conn.pragma(`${key} = ${value}`);
        done(null, conn);
      },
    },
  }),
  postgres: (url) => ({
    client: "pg",
    connection: { connectionString: url, application_name: "stagecraft" },
    pool: {
      min: 0,
      max: 1,
      // As in our own driver: the server drops a killed runner's session within a second.
      afterCreate: (conn: { query(sql: string, cb: () => void): void }, done: (error: Error | null, conn: unknown) => void) => conn.query("SET client_connection_check_interval = 1000", () => done(null, conn)),
    },
  }),
  mysql: (url) => ({ client: "mysql2", connection: url, pool: { min: 0, max: 1 } }),
};

export function knexClientConfig(opts: PlanOptions): { config: Knex.Config; dialect: Dialect } {
  const parsed = parseConnectionUrl(opts.url, opts.workDir, opts.connectionEnv);
  return { config: { ...CLIENTS[parsed.dialect](parsed.location, parsed.options, opts.lockTimeoutMs), log: quiet }, dialect: parsed.dialect };
}
