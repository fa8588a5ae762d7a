import type { Driver } from "./driver.js";
import { parseConnectionUrl, redactUrl } from "./url.js";
import { once } from "../util/once.js";
import { withPeer } from "./peer-dependency.js";

export interface OpenDriverOptions {
  url: string;
  /** Folder that relative SQLite paths resolve against. */
  workDir: string;
  /** Env var the URL came from, for messages. */
  connectionEnv: string;
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

/** Opens one connection to the database of `url`. */
export async function openDriver({ url, workDir, connectionEnv }: OpenDriverOptions): Promise<Driver> {
  const parsed = parseConnectionUrl(url, workDir, connectionEnv);
  const target = redactUrl(url);
  switch (parsed.dialect) {
    case "sqlite":
      return new (await DRIVERS.sqlite()).SqliteDriver(parsed.location, parsed.options, target);
    case "postgres":
      return (await DRIVERS.postgres()).PostgresDriver.connect(parsed.location, target, parsed.secrets);
    case "mysql":
      return (await DRIVERS.mysql()).MysqlDriver.connect(parsed.location, target, parsed.secrets);
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

