import { StagecraftError, scrubSecrets } from "../errors.js";
import type { Driver } from "./driver.js";
import { ConnectError } from "./connection-errors.js";
import { describeServer, resolveConnectionOptions, sleep, type ConnectTarget, type ConnectionOptions } from "./connection-options.js";
import { parseConnectionUrl, redactUrl } from "./url.js";
import { once } from "../util/once.js";
import { withPeer } from "./peer-dependency.js";

export interface OpenDriverOptions {
  url: string;
  /** Folder that relative SQLite paths resolve against. */
  workDir: string;
  /** Env var the URL came from, for messages. */
  connectionEnv: string;
  /** Connect timeout, stall detection, waiting for the server, creating the database. */
  connection?: ConnectionOptions;
  /** Stops a `--wait` at once. */
  signal?: AbortSignal;
}

/**
 * Each dialect's client library is imported only when first needed, and the import is kept.
 * The libraries are optional dependencies: a missing one is `dependency_missing` naming it.
 */
const DRIVERS = {
  sqlite: once(withPeer("better-sqlite3", "SQLite databases", () => import("./sqlite/sqlite-driver.js"))),
  postgres: once(withPeer("pg", "PostgreSQL databases", () => import("./postgres/postgres-driver.js"))),
  mysql: once(withPeer("mysql2", "MySQL/MariaDB databases", () => import("./mysql/mysql-driver.js"))),
};

/** First pause between attempts while waiting for a server; it doubles up to the cap. */
const WAIT_FIRST_DELAY_MS = 250;
const WAIT_MAX_DELAY_MS = 2_000;

interface ServerDriverClass {
  connect(url: string, at: ConnectTarget): Promise<Driver>;
  createDatabase(url: string, at: ConnectTarget, name: string): Promise<void>;
}

/** Opens one connection to the database of `url`. */
export async function openDriver({ url, workDir, connectionEnv, connection, signal }: OpenDriverOptions): Promise<Driver> {
  const parsed = parseConnectionUrl(url, workDir, connectionEnv);
  const target = redactUrl(url);
  if (parsed.dialect === "sqlite") return new (await DRIVERS.sqlite()).SqliteDriver(parsed.location, parsed.options, target);
  const at: ConnectTarget = { url: parsed.location, target, envName: connectionEnv, secrets: parsed.secrets, options: resolveConnectionOptions(connection) };
  const driverClass: ServerDriverClass = parsed.dialect === "postgres" ? (await DRIVERS.postgres()).PostgresDriver : (await DRIVERS.mysql()).MysqlDriver;
  return connectWaiting(driverClass, at, signal);
}

/**
 * Connects; while `waitMs` lasts, retries a server that is not there yet (refused, unknown
 * host, no answer, starting up); with `createDatabase`, creates a database the server says
 * does not exist, once, and connects again.
 */
async function connectWaiting(driverClass: ServerDriverClass, at: ConnectTarget, signal: AbortSignal | undefined): Promise<Driver> {
  const started = Date.now();
  let delayMs = WAIT_FIRST_DELAY_MS;
  let created = false;
  for (;;) {
    try {
      return await driverClass.connect(at.url, at);
    } catch (error) {
      if (!(error instanceof ConnectError)) throw error;
      if (error.failure === "unknown_database" && at.options.createDatabase && !created) {
        created = true;
        await createOrExplain(driverClass, at, error);
        continue;
      }
      const waitedMs = Date.now() - started;
      if (!error.transient || at.options.waitMs <= 0) throw error;
      if (waitedMs + delayMs > at.options.waitMs) {
        throw new StagecraftError("connection_failed", `${error.message} (still failing after waiting ${Math.round(waitedMs / 1000)} s for the server, --wait)`, error.context);
      }
      try {
        await sleep(delayMs, signal);
      } catch {
        throw new StagecraftError("cancelled", `stopped waiting for ${at.target}: the run was cancelled`);
      }
      delayMs = Math.min(delayMs * 2, WAIT_MAX_DELAY_MS);
    }
  }
}

async function createOrExplain(driverClass: ServerDriverClass, at: ConnectTarget, missing: ConnectError): Promise<void> {
  const { database } = describeServer(at.url);
  try {
    await driverClass.createDatabase(at.url, at, database);
  } catch (error) {
    const said = scrubSecrets((error as Error)?.message ?? String(error), at.secrets);
    throw new StagecraftError("connection_failed", `${missing.message}; creating it failed: ${said}`, {
      hint: "create the database by hand, or give the user the right to create databases (PostgreSQL: CREATEDB; MySQL: CREATE)",
      ...(typeof (error as { code?: unknown }).code === "string" ? { driverCode: (error as { code: string }).code } : {}),
    });
  }
}

/** Opens a driver, runs `fn`, and always closes it. */
export async function withDriver<T>(options: OpenDriverOptions, fn: (driver: Driver) => Promise<T>): Promise<T> {
  const driver = await openDriver(options);
  try {
    return await fn(driver);
  } finally {
    await driver.close();
  }
}
