import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";
import { readEnv, type Env } from "../config/env.js";
import { serializeError, type SerializedError } from "../errors.js";
import { isPlainSqliteUrl, isSqliteUrl, parseConnectionUrl } from "../drivers/url.js";
import { displayParsedUrl } from "../fleet/secrets.js";

export interface Prepared {
  db: DatabaseConfig;
  /** `host:port` of a database server; undefined for SQLite. */
  server: string | undefined;
  /** The connection URL, or undefined when it is unusable (then `error` says why). */
  url?: string;
  /** The redacted URL for events and the report (see `displayUrl`), with the URL. */
  target?: string;
  error?: SerializedError;
}

/** The database's connection URL as configured: a fleet member's own, or its `connection_env` from the environment. */
export function urlOf(db: DatabaseConfig, env: Env): string | undefined {
  return db.url ?? readEnv(env, db.connectionEnv);
}

/**
 * `host:port` of the database's server, undefined for SQLite or a URL that {@link prepare} will
 * refuse. For scheduling, before a database is prepared: a SQLite URL is told by its scheme
 * alone, so a fleet of SQLite files allocates nothing here that outlives the call.
 */
export function serverOf(db: DatabaseConfig, env: Env, workDir: string): string | undefined {
  const url = urlOf(db, env);
  if (url === undefined || url === "" || isSqliteUrl(url)) return undefined;
  try {
    const parsed = parseConnectionUrl(url, workDir, db.connectionEnv);
    if (parsed.dialect === "sqlite") return undefined;
    const location = new URL(parsed.location);
    // As prepare(): a MySQL URL without a database is refused, so it has no server to schedule on.
    return parsed.dialect === "mysql" && location.pathname.replace(/^\//, "") === "" ? undefined : location.host;
  } catch {
    return undefined;
  }
}


/**
 * Finds the database's URL (a fleet member's own, or its `connection_env` from the
 * environment) and its server, without connecting.
 */
export function prepare(db: DatabaseConfig, config: StagecraftConfig, env: Env): Prepared {
  const url = urlOf(db, env);
  if (url === undefined || url === "") {
    return { db, server: undefined, error: { kind: "invalid_config", message: `database ${db.name}: environment variable ${db.connectionEnv} is not set (connection_env of databases.${db.name})`, database: db.name, hint: `set ${db.connectionEnv} to the database's connection URL` } };
  }
  // A plain SQLite file URL (no query, no surrounding space) needs no parse: no server, nothing
  // secret, shown as written. The worker resolves its path when it opens it.
  if (isPlainSqliteUrl(url)) return { db, server: undefined, url, target: url };
  let server: string | undefined;
  let target: string;
  try {
    const parsed = parseConnectionUrl(url, config.dir, db.connectionEnv || `the URL of fleet member ${db.name}`);
    server = parsed.dialect === "sqlite" ? undefined : new URL(parsed.location).host;
    // From this parse, not another one per database when it is reported.
    target = displayParsedUrl(url, parsed.secrets);
    // PostgreSQL falls back to a database named after the user, as libpq does; MySQL has no
    // default, and a session without one fails at its first table with "No database selected".
    if (parsed.dialect === "mysql" && new URL(parsed.location).pathname.replace(/^\//, "") === "") {
      const where = db.connectionEnv ? `the connection URL in $${db.connectionEnv}` : `the URL of fleet member ${db.name}`;
      return { db, server: undefined, error: { kind: "invalid_config", message: `database ${db.name}: ${where} names no database: add it after the host, e.g. mysql://user:***@${server}/app`, database: db.name, hint: "a MySQL URL needs the database name as its path" } };
    }
  } catch (error) {
    const plain = serializeError(error);
    return { db, server: undefined, error: { ...plain, message: `database ${db.name}: ${plain.message}`, database: db.name } };
  }
  return { db, server, url, target };
}
