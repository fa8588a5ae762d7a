import type { Knex } from "knex";
import { parseConnectionUrl } from "../../drivers/url.js";
import type { Dialect } from "../../drivers/driver.js";
import type { PlanOptions } from "../../registry/engine.js";

/** Messages knex would print; the library never prints, so they are dropped. */
const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} };

type AfterCreate = (conn: never, done: (error: Error | null, conn: unknown) => void) => void;

/** The knex client for each dialect, chosen from the connection URL. `readOnly` for plans. */
const CLIENTS: Record<Dialect, (location: string, options: Record<string, string>, lockTimeoutMs: number, readOnly: boolean) => Knex.Config> = {
  sqlite: (filename, options, lockTimeoutMs, readOnly) => ({
    client: "better-sqlite3",
    // A plan opens the file read-only: it must not change it (not even a journal-mode pragma).
    connection: { filename, ...(readOnly && filename !== ":memory:" ? { options: { readonly: true } } : {}) },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: ((conn: { pragma(sql: string): unknown }, done) => {
        conn.pragma(`busy_timeout = ${lockTimeoutMs}`);
        if (!readOnly) for (const [key, value] of Object.entries(options)) if (/^[a-z_]+$/.test(key) && /^\w+$/.test(value)) conn.pragma(`${key} = ${value}`);
        done(null, conn);
      }) as AfterCreate,
    },
  }),
  postgres: (url) => ({
    client: "pg",
    connection: { connectionString: url, application_name: "stagecraft" },
    pool: {
      min: 0,
      max: 1,
      // As in our own driver: the server drops a killed runner's session within a second.
      afterCreate: ((conn: { query(sql: string, cb: () => void): void }, done) => conn.query("SET client_connection_check_interval = 1000", () => done(null, conn))) as AfterCreate,
    },
  }),
  mysql: (url) => ({ client: "mysql2", connection: url, pool: { min: 0, max: 1 } }),
};

export function knexClientConfig(opts: PlanOptions, readOnly: boolean): { config: Knex.Config; dialect: Dialect; location: string } {
  const parsed = parseConnectionUrl(opts.url, opts.workDir, opts.connectionEnv);
  return { config: { ...CLIENTS[parsed.dialect](parsed.location, parsed.options, opts.lockTimeoutMs, readOnly), log: quiet }, dialect: parsed.dialect, location: parsed.location };
}
