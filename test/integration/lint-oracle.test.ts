// The servers are the judges of what lint claims: an error statement really fails where lint
// says it will, and a MySQL ALTER lint calls a copy is really one the server cannot do in place.
import Database from "better-sqlite3";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempProject } from "../helpers/project.js";
import { rules } from "../helpers/lint-kit.js";
import { availableDialects, createDatabase, type TestDatabase } from "../helpers/servers.js";

const dialects = await availableDialects();
const describeIf = (dialect: string) => (dialects.includes(dialect as never) ? describe : describe.skip);

describeIf("postgres")("PostgreSQL agrees with lint", () => {
  let db: TestDatabase;
  let client: pg.Client;
  const project = tempProject();
  beforeAll(async () => {
    db = await createDatabase("postgres", project.dir);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`CREATE TABLE t (id int PRIMARY KEY, a int); CREATE INDEX i ON t (a); INSERT INTO t VALUES (1, 1);
      CREATE TABLE p (id int) PARTITION BY RANGE (id); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
      CREATE TYPE mood AS ENUM ('happy'); CREATE TABLE people (mood mood)`);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
    project.cleanup();
  });

  /** Runs `sql` in a transaction that is always rolled back; resolves to the server's error, or undefined. */
  async function inTransaction(sql: string): Promise<string | undefined> {
    await client.query("BEGIN");
    try {
      await client.query(sql);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.query("ROLLBACK");
    }
  }

  const refused = [
    "CREATE INDEX CONCURRENTLY j ON t (a)", "CREATE UNIQUE INDEX CONCURRENTLY j ON t (id)", "DROP INDEX CONCURRENTLY i", "REINDEX INDEX CONCURRENTLY i",
    "VACUUM", "VACUUM (ANALYZE) t", "CLUSTER", "CREATE DATABASE sc_lint_never", "DROP DATABASE sc_lint_never", "ALTER SYSTEM SET work_mem = '64MB'",
    "CREATE TABLESPACE never LOCATION '/nonexistent'", "DROP TABLESPACE never", "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY", "COMMIT PREPARED 'never'",
  ];
  it.each(refused)("lint's requires-no-transaction %j is refused in a transaction block", async (sql) => {
    expect(await rules("postgres", `${sql};`)).toContain("requires-no-transaction");
    expect(await inTransaction(sql)).toMatch(/cannot (run|be executed) inside a transaction block/);
  });

  it.each(["CREATE INDEX j ON t (a)", "ANALYZE t", "CLUSTER t USING t_pkey", "REINDEX INDEX i", "ALTER TABLE p DETACH PARTITION p1", "SAVEPOINT s; ROLLBACK TO SAVEPOINT s; RELEASE SAVEPOINT s"])("%j runs in a transaction, and lint agrees", async (sql) => {
    expect(await rules("postgres", `${sql};`)).not.toContain("requires-no-transaction");
    expect(await rules("postgres", `${sql};`)).not.toContain("transaction-control");
    expect(await inTransaction(sql)).toBeUndefined();
  });

  it("a new enum value used in the same transaction is refused, even for a type created in it; its original values are not", async () => {
    const use = "ALTER TYPE mood ADD VALUE 'ecstatic'; INSERT INTO people VALUES ('ecstatic')";
    expect(await rules("postgres", `${use};`)).toContain("new-enum-value-used");
    expect(await inTransaction(use)).toMatch(/unsafe use of new value "ecstatic"/);
    const fresh = "CREATE TYPE mood2 AS ENUM ('a'); ALTER TYPE mood2 ADD VALUE 'b'; SELECT 'b'::mood2";
    expect(await rules("postgres", `${fresh};`)).toContain("new-enum-value-used");
    expect(await inTransaction(fresh)).toMatch(/unsafe use of new value "b"/);
    const original = "CREATE TYPE mood3 AS ENUM ('a'); ALTER TYPE mood3 ADD VALUE 'b'; SELECT 'a'::mood3";
    expect(await rules("postgres", `${original};`)).not.toContain("new-enum-value-used");
    expect(await inTransaction(original)).toBeUndefined();
  });

  it("ADD COLUMN … NOT NULL without a default fails on a table with rows; with a default it does not", async () => {
    expect(await rules("postgres", "ALTER TABLE t ADD COLUMN b int NOT NULL;")).toContain("add-not-null-column");
    expect(await inTransaction("ALTER TABLE t ADD COLUMN b int NOT NULL")).toMatch(/contains null values/);
    expect(await inTransaction("ALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 0")).toBeUndefined();
  });
});

describeIf("sqlite")("SQLite agrees with lint", () => {
  const project = tempProject();
  let db: Database.Database;
  beforeAll(() => {
    db = new Database(`${project.dir}/oracle.db`);
    db.exec("CREATE TABLE t (id integer PRIMARY KEY, a int); INSERT INTO t VALUES (1, 1);");
  });
  afterAll(() => {
    db?.close();
    project.cleanup();
  });

  function inTransaction(sql: string): string | undefined {
    db.exec("BEGIN");
    try {
      db.exec(sql);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    } finally {
      if (db.inTransaction) db.exec("ROLLBACK");
    }
  }

  it.each([
    ["VACUUM", "requires-no-transaction", /cannot VACUUM from within a transaction/],
    ["PRAGMA journal_mode = WAL", "requires-no-transaction", /cannot change into wal mode from within a transaction/],
    ["BEGIN", "transaction-control", /cannot start a transaction within a transaction/],
    ["ALTER TABLE t ADD COLUMN b int UNIQUE", "sqlite-unsupported-alter", /Cannot add a UNIQUE column/],
    ["ALTER TABLE t ALTER COLUMN a TYPE text", "sqlite-unsupported-alter", /syntax error/],
    ["ALTER TABLE t ADD COLUMN b int, ADD COLUMN c int", "sqlite-unsupported-alter", /syntax error/],
    ["ALTER TABLE t ADD COLUMN b int NOT NULL", "add-not-null-column", /Cannot add a NOT NULL column with default value NULL/],
    ["ALTER TABLE t ADD COLUMN b text DEFAULT CURRENT_TIMESTAMP", "sqlite-nonconstant-default", /non-constant default/],
    ["ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a + 1) STORED", "sqlite-nonconstant-default", /cannot add a STORED column/],
  ] as const)("%j (%s) fails in a migration's transaction on a table with rows", async (sql, rule, error) => {
    expect(await rules("sqlite", `${sql};`)).toContain(rule);
    expect(inTransaction(sql)).toMatch(error);
  });

  it.each(["ALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 0", "ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a + 1) VIRTUAL", "PRAGMA journal_mode = DELETE", "SAVEPOINT s; ROLLBACK TO s; RELEASE s"])("%j succeeds, and lint raises no error", async (sql) => {
    expect((await rules("sqlite", `${sql};`)).filter((r) => ["requires-no-transaction", "transaction-control", "sqlite-unsupported-alter", "sqlite-nonconstant-default", "add-not-null-column"].includes(r))).toEqual([]);
    expect(inTransaction(sql)).toBeUndefined();
  });
});

describeIf("mysql")("MySQL/MariaDB agrees with lint", () => {
  let db: TestDatabase;
  let conn: mysql.Connection;
  const project = tempProject();
  beforeAll(async () => {
    db = await createDatabase("mysql", project.dir);
    conn = await mysql.createConnection({ uri: db.url });
  });
  afterAll(async () => {
    await conn?.end();
    await db?.drop();
    project.cleanup();
  });

  /** A fresh pair of tables for each ALTER: the server's verdict must not depend on the previous one. */
  async function fresh(): Promise<void> {
    await conn.query("DROP TABLE IF EXISTS t, u");
    await conn.query("CREATE TABLE u (id int PRIMARY KEY) ENGINE=InnoDB");
    await conn.query("CREATE TABLE t (id int PRIMARY KEY, a int, b varchar(20), u_id int) ENGINE=InnoDB CHARACTER SET latin1");
    await conn.query("INSERT INTO t VALUES (1, 1, 'x', NULL)");
  }

  async function run(sql: string): Promise<string | undefined> {
    try {
      await conn.query(sql);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  it.each([
    "ALTER TABLE t MODIFY a bigint", "ALTER TABLE t CHANGE a c text", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", "ALTER TABLE t ADD FOREIGN KEY (u_id) REFERENCES u (id)",
    "ALTER TABLE t DROP PRIMARY KEY", "ALTER TABLE t ADD COLUMN g int AS (a + 1) STORED", "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4",
  ])("alter-table-copy %j: the server refuses it with ALGORITHM=INPLACE (it would copy)", async (sql) => {
    expect(await rules("mysql", `${sql};`)).toContain("alter-table-copy");
    await fresh();
    expect(await run(`${sql}, ALGORITHM=INPLACE`)).toMatch(/ALGORITHM=INPLACE is not supported/);
  });

  it.each([
    "ALTER TABLE t ADD INDEX (a)", "ALTER TABLE t ADD COLUMN c int", "ALTER TABLE t DROP COLUMN a", "ALTER TABLE t RENAME COLUMN a TO c",
    "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, a)", "ALTER TABLE t ADD COLUMN g int AS (a + 1) VIRTUAL",
  ])("%j runs in place, and lint does not call it a copy", async (sql) => {
    expect(await rules("mysql", `${sql};`)).not.toContain("alter-table-copy");
    await fresh();
    expect(await run(`${sql}, ALGORITHM=INPLACE`)).toBeUndefined();
  });

  it("ADD COLUMN … NOT NULL without a default fills existing rows with the implicit default, as lint warns", async () => {
    expect(await rules("mysql", "ALTER TABLE t ADD COLUMN n int NOT NULL;")).toContain("add-not-null-column");
    await fresh();
    expect(await run("ALTER TABLE t ADD COLUMN n int NOT NULL, ADD COLUMN s varchar(5) NOT NULL")).toBeUndefined();
    const [rows] = await conn.query("SELECT n, s FROM t");
    expect(rows).toEqual([{ n: 0, s: "" }]);
  });
});
