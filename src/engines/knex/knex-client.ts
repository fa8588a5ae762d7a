import type { Knex } from "knex";
import { parseConnectionUrl } from "../../drivers/url.js";
import type { Dialect } from "../../drivers/driver.js";
import type { PlanOptions } from "../../registry/engine.js";

/** Messages knex would print; the library never prints, so they are dropped. */
const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} };

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
  postgres: (url) => ({ client: "pg", connection: { connectionString: url, application_name: "stagecraft" }, pool: { min: 0, max: 1 } }),
  mysql: (url) => ({ client: "mysql2", connection: url, pool: { min: 0, max: 1 } }),
};

export function knexClientConfig(opts: PlanOptions): Knex.Config {
  const parsed = parseConnectionUrl(opts.url, opts.workDir, opts.connectionEnv);
  return { ...CLIENTS[parsed.dialect](parsed.location, parsed.options, opts.lockTimeoutMs), log: quiet };
}
