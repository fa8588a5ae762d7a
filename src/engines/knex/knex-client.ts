import type { Knex } from "knex";
import { StagecraftError } from "../../errors.js";
import { connectionFailed } from "../../drivers/connection-errors.js";
import { resolveConnectionOptions, type ConnectTarget } from "../../drivers/connection-options.js";
import { openDriver } from "../../drivers/open-driver.js";
import { parseConnectionUrl, redactUrl } from "../../drivers/url.js";
import type { Dialect } from "../../drivers/driver.js";
import type { PlanOptions } from "../../registry/engine.js";
import { once } from "../../util/once.js";

/** Messages knex would print; the library never prints, so they are dropped. */
const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} };

/**
 * knex's pool gives up on a connection this long after the driver's own connect timeout, so
 * the driver's precise error (refused, timeout, access denied) wins over knex's
 * "Timeout acquiring a connection. The pool is probably full."
 */
const ACQUIRE_MARGIN_MS = 2_000;

const SESSIONS = {
  postgres: once(() => import("../../drivers/postgres/postgres-session.js")),
  mysql: once(() => import("../../drivers/mysql/mysql-session.js")),
};

type Done = (error: Error | null, conn: unknown) => void;

/**
 * The knex client for each dialect, chosen from the connection URL. Server connections get
 * the same connect timeout, session settings and stall watch as stagecraft's own driver.
 */
const CLIENTS: Record<Dialect, (location: string, options: Record<string, string>, lockTimeoutMs: number, at: ConnectTarget, readOnly: boolean) => Knex.Config> = {
  sqlite: (filename, options, lockTimeoutMs, _at, readOnly) => ({
    client: "better-sqlite3",
    // A plan opens the file read-only: it must not change it (not even a journal-mode pragma).
    connection: { filename, ...(readOnly && filename !== ":memory:" ? { options: { readonly: true } } : {}) },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { pragma(sql: string): unknown }, done: Done) => {
        conn.pragma(`busy_timeout = ${lockTimeoutMs}`);
        if (!readOnly) for (const [key, value] of Object.entries(options)) if (/^[a-z_]+$/.test(key) && /^\w+$/.test(value)) conn.pragma(`${key} = ${value}`);
        done(null, conn);
      },
    },
  }),
  postgres: (url, _options, _lockTimeoutMs, at) => ({
    client: "pg",
    connection: { connectionString: url, application_name: "stagecraft", connectionTimeoutMillis: at.options.connectTimeoutMs, keepAlive: true },
    pool: {
      min: 0,
      max: 1,
      afterCreate: (conn: never, done: Done) => void SESSIONS.postgres().then((s) => s.superviseClient(conn, url, at)).then(() => done(null, conn), (error: Error) => done(error, conn)),
    },
  }),
  mysql: (url, _options, _lockTimeoutMs, at) => ({
    client: "mysql2",
    connection: mysqlConnection(url, at),
    pool: {
      min: 0,
      max: 1,
      afterCreate: (conn: never, done: Done) => void SESSIONS.mysql().then((s) => s.superviseConnection(conn, url, at)).then(() => done(null, conn), (error: Error) => done(error, conn)),
    },
  }),
};

export function knexClientConfig(opts: PlanOptions, readOnly: boolean): { config: Knex.Config; dialect: Dialect; location: string } {
  const parsed = parseConnectionUrl(opts.url, opts.workDir, opts.connectionEnv);
  const at = connectTarget(opts, parsed.location, parsed.secrets);
  const base = CLIENTS[parsed.dialect](parsed.location, parsed.options, opts.lockTimeoutMs, at, readOnly);
  if (parsed.dialect === "sqlite") return { config: { ...base, log: quiet }, dialect: parsed.dialect, location: parsed.location };
  const { connectTimeoutMs, waitMs, createDatabase } = at.options;
  const config: Knex.Config = { ...base, log: quiet, acquireConnectionTimeout: connectTimeoutMs * (createDatabase ? 3 : 1) + waitMs + ACQUIRE_MARGIN_MS };
  if (waitMs > 0 || createDatabase) {
    // knex cannot wait for a server or create a database: stagecraft's driver does it first, once.
    const ready = once(async () => (await openDriver(opts)).close());
    config.connection = async () => {
      await ready();
      return base.connection as Knex.StaticConnectionConfig;
    };
  }
  return { config, dialect: parsed.dialect, location: parsed.location };
}

/** The error for a knex connection that could not be opened: the same classes and hints as stagecraft's driver. */
export function knexConnectError(opts: PlanOptions, error: unknown): StagecraftError {
  if (error instanceof StagecraftError) return error;
  const parsed = parseConnectionUrl(opts.url, opts.workDir, opts.connectionEnv);
  if (parsed.dialect === "sqlite") {
    return new StagecraftError("connection_failed", `cannot open SQLite database ${redactUrl(opts.url)}: ${(error as Error)?.message ?? String(error)}`);
  }
  return connectionFailed(connectTarget(opts, parsed.location, parsed.secrets), error);
}

function connectTarget(opts: PlanOptions, url: string, secrets: string[]): ConnectTarget {
  return { url, target: redactUrl(opts.url), envName: opts.connectionEnv, secrets, options: resolveConnectionOptions(opts.connection) };
}

/**
 * mysql2 options from the URL, decoded the way mysql2 decodes its own `uri`: knex's URL parser
 * keeps IPv6 brackets (`[::1]`) in the host and leaves `%2D` in the database name.
 */
function mysqlConnection(url: string, at: ConnectTarget): Knex.MySql2ConnectionConfig {
  const parsed = new URL(url);
  const options: Record<string, unknown> = {};
  for (const [key, value] of parsed.searchParams) {
    try {
      options[key] = JSON.parse(value);
    } catch {
      options[key] = value;
    }
  }
  return {
    ...options,
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    ...(parsed.port === "" ? {} : { port: Number(parsed.port) }),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
    connectTimeout: at.options.connectTimeoutMs,
    enableKeepAlive: true,
  };
}
