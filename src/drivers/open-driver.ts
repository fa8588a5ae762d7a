import type { Driver } from "./driver.js";
import { parseConnectionUrl, redactUrl } from "./url.js";

export interface OpenDriverOptions {
  url: string;
  /** Folder that relative SQLite paths resolve against. */
  workDir: string;
  /** Env var the URL came from, for messages. */
  connectionEnv: string;
}

/** Opens one connection; each dialect's client library is imported only when first needed. */
export async function openDriver({ url, workDir, connectionEnv }: OpenDriverOptions): Promise<Driver> {
  const parsed = parseConnectionUrl(url, workDir, connectionEnv);
  const target = redactUrl(url);
  switch (parsed.dialect) {
    case "sqlite": {
      const { SqliteDriver } = await import("./sqlite/sqlite-driver.js");
      return new SqliteDriver(parsed.location, parsed.options, target);
    }
    case "postgres": {
      const { PostgresDriver } = await import("./postgres/postgres-driver.js");
      return PostgresDriver.connect(parsed.location, target, parsed.secrets);
    }
    case "mysql": {
      const { MysqlDriver } = await import("./mysql/mysql-driver.js");
      return MysqlDriver.connect(parsed.location, target, parsed.secrets);
    }
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

