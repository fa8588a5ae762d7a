import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";
import { readEnv, type Env } from "../config/env.js";
import { serializeError, type SerializedError } from "../errors.js";
import { parseConnectionUrl } from "../drivers/url.js";

export interface Prepared {
  db: DatabaseConfig;
  /** `host:port` of a database server; undefined for SQLite. */
  server: string | undefined;
  /** The connection URL, or undefined when it is unusable (then `error` says why). */
  url?: string;
  error?: SerializedError;
}

/**
 * Finds the database's URL (a fleet member's own, or its `connection_env` from the
 * environment) and its server, without connecting.
 */
export function prepare(db: DatabaseConfig, config: StagecraftConfig, env: Env): Prepared {
  const url = db.url ?? readEnv(env, db.connectionEnv);
  if (url === undefined || url === "") {
    return { db, server: undefined, error: { kind: "invalid_config", message: `database ${db.name}: environment variable ${db.connectionEnv} is not set (connection_env of databases.${db.name})`, database: db.name, hint: `set ${db.connectionEnv} to the database's connection URL` } };
  }
  let server: string | undefined;
  try {
    const parsed = parseConnectionUrl(url, config.dir, db.connectionEnv || `the URL of fleet member ${db.name}`);
    server = parsed.dialect === "sqlite" ? undefined : new URL(parsed.location).host;
  } catch (error) {
    const plain = serializeError(error);
    return { db, server: undefined, error: { ...plain, message: `database ${db.name}: ${plain.message}`, database: db.name } };
  }
  return { db, server, url };
}
