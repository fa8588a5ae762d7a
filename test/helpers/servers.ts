import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";

export type Dialect = "sqlite" | "postgres" | "mysql";

export const PG_ADMIN_URL = process.env.STAGECRAFT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const MYSQL_ADMIN_URL = process.env.STAGECRAFT_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";

export const DIALECTS: readonly Dialect[] = ["sqlite", "postgres", "mysql"];

/** Dialects to test; `STAGECRAFT_TEST_DIALECTS=sqlite,postgres` narrows the list (a typo is an error, not an empty run). */
export const REQUESTED: Dialect[] = (process.env.STAGECRAFT_TEST_DIALECTS ?? DIALECTS.join(",")).split(",").map((d) => d.trim()).filter((d) => d !== "").map((d) => {
  if (!(DIALECTS as readonly string[]).includes(d)) throw new Error(`STAGECRAFT_TEST_DIALECTS: unknown dialect "${d}"; known: ${DIALECTS.join(", ")}`);
  return d as Dialect;
});

export async function serverUp(dialect: Dialect): Promise<boolean> {
  try {
    if (dialect === "sqlite") return true;
    if (dialect === "postgres") {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2_000 });
      await client.connect();
      await client.end();
      return true;
    }
    const conn = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: 2_000 });
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

/** Dialects to run here: requested ones whose server answers (global setup fails if one is required and down). */
export async function availableDialects(): Promise<Dialect[]> {
  const up = await Promise.all(REQUESTED.map(async (d) => ((await serverUp(d)) ? d : undefined)));
  return up.filter((d): d is Dialect => d !== undefined);
}

export interface TestDatabase {
  dialect: Dialect;
  url: string;
  name: string;
  /** Runs SQL on the test database through a fresh admin connection. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** Prefix of every database the suites create; set it to keep runs apart on a shared server. */
export const DB_PREFIX = process.env.STAGECRAFT_TEST_DB_PREFIX ?? "sc";

export function uniqueName(prefix = DB_PREFIX): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

/** A fresh, empty database of the dialect; SQLite files go under `dir`. */
export async function createDatabase(dialect: Dialect, dir: string): Promise<TestDatabase> {
  const name = uniqueName();
  if (dialect === "sqlite") {
    const path = `${dir}/${name}.db`;
    const { default: Database } = await import("better-sqlite3");
    return {
      dialect, name, url: `sqlite:${path}`,
      query: async <T>(sql: string, params: unknown[] = []) => {
        const db = new Database(path);
        try {
          const stmt = db.prepare(sql);
          return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
        } finally {
          db.close();
        }
      },
      drop: async () => undefined,
    };
  }
  if (dialect === "postgres") {
    await pgAdmin(`CREATE DATABASE ${name}`);
    const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    return {
      dialect, name, url,
      query: async <T>(sql: string, params: unknown[] = []) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query(sql, params)).rows as T[];
        } finally {
          await client.end();
        }
      },
      drop: async () => void (await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
    };
  }
  await mysqlAdmin(`CREATE DATABASE ${name}`);
  const url = MYSQL_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    dialect, name, url,
    query: async <T>(sql: string, params: unknown[] = []) => {
      const conn = await mysql.createConnection({ uri: url });
      try {
        const [rows] = await conn.query(sql, params);
        return (Array.isArray(rows) ? rows : []) as T[];
      } finally {
        await conn.end();
      }
    },
    drop: async () => void (await mysqlAdmin(`DROP DATABASE IF EXISTS ${name}`)),
  };
}

export async function pgAdmin(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function mysqlAdmin(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const conn = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
  try {
    const [rows] = await conn.query(sql, params);
    return (Array.isArray(rows) ? rows : []) as Record<string, unknown>[];
  } finally {
    await conn.end();
  }
}
