import { describe, expect, it } from "vitest";
import { lint, rules, type LintDialectName } from "../helpers/lint-kit.js";

/** A rule's fixtures on one dialect: each `fails` script must raise it, each `passes` script must not. */
interface Fixture {
  rule: string;
  dialect: LintDialectName;
  fails: string[];
  passes: string[];
}

const ALL: LintDialectName[] = ["postgres", "mysql", "sqlite"];
const each = (rule: string, dialects: LintDialectName[], fails: string[], passes: string[]): Fixture[] => dialects.map((dialect) => ({ rule, dialect, fails, passes }));

const FIXTURES: Fixture[] = [
  ...each("syntax-error", ["postgres"], ["CREATE TABLE t (id int,);", "SELECT 1;\nSELEC 2;", "CREATE TABLE t (a int) garbage;"], ["CREATE TABLE t (id int);", "SELECT 'SELEC';"]),
  ...each("syntax-error", ["sqlite"], ["CREATE TABLE t (id int,);", "SELECT 1;\nSELEC 2;", "SELECT 'unterminated"], ["CREATE TABLE t (id int);", "INSERT INTO missing_table VALUES (1);"]),
  ...each("requires-no-transaction", ["postgres"], [
    "CREATE INDEX CONCURRENTLY i ON t (a);", "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);", "DROP INDEX CONCURRENTLY i;", "REINDEX INDEX CONCURRENTLY i;",
    "REINDEX DATABASE app;", "VACUUM;", "VACUUM (ANALYZE) t;", "CLUSTER;", "CREATE DATABASE other;", "DROP DATABASE other;", "ALTER SYSTEM SET work_mem = '64MB';",
    "CREATE TABLESPACE fast LOCATION '/ssd';", "DROP TABLESPACE fast;", "ALTER DATABASE app SET TABLESPACE fast;", "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p;",
    "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;", "COMMIT PREPARED 'x';",
  ], [
    "CREATE INDEX i ON t (a);", "ANALYZE t;", "CLUSTER t USING i;", "ALTER DATABASE app SET work_mem = '64MB';", "REINDEX INDEX i;",
    "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p WITH (create_slot = false);", "ALTER TABLE p DETACH PARTITION p1;",
    "-- stagecraft:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);", "SELECT 'CREATE INDEX CONCURRENTLY i ON t (a)';", "-- VACUUM;\nSELECT 1;",
  ]),
  ...each("requires-no-transaction", ["sqlite"], ["VACUUM;", "PRAGMA journal_mode = WAL;", "PRAGMA main.journal_mode='wal';"], ["-- stagecraft:no-transaction\nVACUUM;", "PRAGMA journal_mode = DELETE;", "PRAGMA foreign_keys = ON;", "SELECT 'VACUUM';"]),
  ...each("transaction-control", ["postgres"], ["BEGIN;\nSELECT 1;\nCOMMIT;", "START TRANSACTION;", "COMMIT;", "END;", "ROLLBACK;", "PREPARE TRANSACTION 'x';"], ["SAVEPOINT a;\nROLLBACK TO SAVEPOINT a;\nRELEASE SAVEPOINT a;", "-- stagecraft:no-transaction\nBEGIN;\nSELECT 1;\nCOMMIT;", "DO $$ BEGIN PERFORM 1; END $$;"]),
  ...each("transaction-control", ["sqlite"], ["BEGIN;", "BEGIN IMMEDIATE TRANSACTION;", "COMMIT;", "END TRANSACTION;", "ROLLBACK;"], ["SAVEPOINT a;\nROLLBACK TO a;\nRELEASE a;", "-- stagecraft:no-transaction\nBEGIN;\nCOMMIT;", "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END;"]),
  ...each("new-enum-value-used", ["postgres"], [
    "CREATE TYPE mood AS ENUM ('happy');\nALTER TYPE mood ADD VALUE 'ecstatic';\nINSERT INTO people (mood) VALUES ('ecstatic');",
    "ALTER TYPE mood ADD VALUE 'ecstatic';\nUPDATE people SET mood = 'ecstatic';",
    "ALTER TYPE public.mood ADD VALUE IF NOT EXISTS 'ecstatic' AFTER 'happy';\nINSERT INTO people (mood) VALUES ('ecstatic'::mood);",
    "ALTER TYPE mood ADD VALUE 'x';\nCREATE INDEX ON people (id) WHERE mood = 'x';",
  ], [
    "ALTER TYPE mood ADD VALUE 'ecstatic';", "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\nUPDATE people SET mood = 'blue';",
    "CREATE TYPE mood AS ENUM ('happy');\nINSERT INTO people (mood) VALUES ('happy');",
    "-- stagecraft:no-transaction\nALTER TYPE mood ADD VALUE 'ecstatic';\nUPDATE people SET mood = 'ecstatic';",
    "UPDATE people SET mood = 'ecstatic';\nALTER TYPE mood ADD VALUE 'ecstatic';",
  ]),
  ...each("sqlite-unsupported-alter", ["sqlite"], ["ALTER TABLE t ALTER COLUMN a TYPE text;", "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int;", "ALTER TABLE t ADD COLUMN a int UNIQUE;", "ALTER TABLE t ADD COLUMN a int PRIMARY KEY;", "ALTER TABLE t MODIFY a text;"], [
    "ALTER TABLE t ADD COLUMN a int;", "ALTER TABLE t RENAME COLUMN a TO b;", "ALTER TABLE t RENAME TO u;", "ALTER TABLE t DROP COLUMN a;", "ALTER TABLE t ADD COLUMN a int REFERENCES u (id);",
  ]),
  ...each("drop-table", ALL, ["DROP TABLE t;", "DROP TABLE IF EXISTS t;"], ["CREATE TABLE t (id int);\nDROP TABLE t;", "DROP VIEW v;", "DROP INDEX i;", "-- DROP TABLE t\nSELECT 1;", "SELECT 'DROP TABLE t';"]),
  ...each("drop-table", ["postgres", "mysql"], ["DROP TABLE a, b;"], []),
  ...each("drop-table", ["mysql"], ["/*!40101 DROP TABLE t */;", "DROP TEMPORARY TABLE t;"], ["# DROP TABLE t\nSELECT 1;", "SELECT \"DROP TABLE t\";", "SELECT `drop table t` FROM x;"]),
  ...each("drop-table", ["sqlite"], [], ["SELECT [DROP TABLE t] FROM x;"]),
  ...each("drop-column", ALL, ["ALTER TABLE t DROP COLUMN a;"], ["ALTER TABLE t ADD COLUMN a int;", "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;", "ALTER TABLE t RENAME COLUMN a TO b;"]),
  ...each("drop-column", ["mysql", "sqlite"], ["ALTER TABLE t DROP a;"], []),
  ...each("drop-column", ["mysql"], ["ALTER TABLE `t` DROP `a`, ADD b int;"], ["ALTER TABLE t DROP INDEX a;", "ALTER TABLE t DROP FOREIGN KEY fk;", "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (b);", "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;"]),
  ...each("drop-column", ["postgres"], [], ["ALTER TABLE t DROP CONSTRAINT c;", "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;"]),
  ...each("truncate", ["postgres", "mysql"], ["TRUNCATE t;", "TRUNCATE TABLE t;"], ["DELETE FROM t WHERE id < 10;", "CREATE TABLE t (id int);\nTRUNCATE t;"]),
  ...each("rename-table", ALL, ["ALTER TABLE t RENAME TO u;"], ["CREATE TABLE new_t (id int);\nALTER TABLE new_t RENAME TO t;", "ALTER TABLE t RENAME COLUMN a TO b;"]),
  ...each("rename-table", ["mysql"], ["RENAME TABLE t TO u;", "RENAME TABLE a TO b, c TO d;", "ALTER TABLE t RENAME AS u;"], ["ALTER TABLE t RENAME INDEX a TO b;"]),
  ...each("rename-column", ALL, ["ALTER TABLE t RENAME COLUMN a TO b;"], ["CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;", "ALTER TABLE t ADD COLUMN b int;"]),
  ...each("rename-column", ["mysql"], ["ALTER TABLE t CHANGE a b int;", "ALTER TABLE t CHANGE COLUMN a b int NOT NULL;"], ["ALTER TABLE t CHANGE a a bigint;"]),
  ...each("rename-column", ["sqlite"], ["ALTER TABLE t RENAME a TO b;"], []),
  // With the old type from earlier migrations: see "column-type-change knows the old type" below.
  ...each("column-type-change", ["postgres"], ["ALTER TABLE t ALTER COLUMN a TYPE bigint;", "ALTER TABLE t ALTER COLUMN a SET DATA TYPE text USING a::text;"], [
    "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;", "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;",
  ]),
  ...each("add-not-null-column", ALL, ["ALTER TABLE t ADD COLUMN a int NOT NULL;", "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT NULL;"], [
    "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0;", "ALTER TABLE t ADD COLUMN a int;", "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int NOT NULL;",
  ]),
  ...each("add-not-null-column", ["postgres"], ["ALTER TABLE t ADD COLUMN a int PRIMARY KEY;"], ["ALTER TABLE t ADD COLUMN id bigserial NOT NULL;", "ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;", "ALTER TABLE t ADD COLUMN d int NOT NULL GENERATED ALWAYS AS (a * 2) STORED;"]),
  ...each("add-not-null-column", ["mysql"], ["ALTER TABLE t ADD a int NOT NULL, ALGORITHM=INSTANT;", "ALTER TABLE t ADD COLUMN (a int NOT NULL, b int);"], ["ALTER TABLE t ADD COLUMN id int NOT NULL AUTO_INCREMENT PRIMARY KEY;", "ALTER TABLE t ADD COLUMN id SERIAL;", "ALTER TABLE t ADD COLUMN a int AS (b + 1) STORED NOT NULL;"]),
  ...each("set-not-null", ["postgres"], ["ALTER TABLE t ALTER COLUMN a SET NOT NULL;", "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;", "ALTER TABLE t ADD CONSTRAINT c CHECK (b IS NOT NULL);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;"], [
    "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
    "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;", "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
  ]),
  ...each("index-not-concurrent", ["postgres"], ["CREATE INDEX i ON t (a);", "CREATE UNIQUE INDEX i ON public.t (a);", "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);", "ALTER TABLE t ADD PRIMARY KEY (id);"], [
    "-- stagecraft:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);", "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);", "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;", "CREATE TABLE t AS SELECT 1 AS a;\nCREATE INDEX ON t (a);",
  ]),
  ...each("validating-constraint", ["postgres"], ["ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id);", "ALTER TABLE t ADD CHECK (a > 0);"], [
    "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID;", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;",
    "CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id);",
  ]),
  ...each("mixed-ddl-dml", ["mysql"], ["ALTER TABLE t ADD COLUMN a int;\nUPDATE t SET a = 1;", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);", "DELETE FROM t;\nDROP TABLE u;", "CREATE TABLE t (id int);\nLOAD DATA INFILE 'x' INTO TABLE t;"], [
    "ALTER TABLE t ADD COLUMN a int;", "UPDATE t SET a = 1;\nDELETE FROM u;", "INSERT INTO t VALUES ('ALTER TABLE t DROP a');", "CREATE TABLE t (id int); -- UPDATE t SET id = 1",
  ]),
  ...each("alter-table-copy", ["mysql"], [
    "ALTER TABLE t MODIFY a bigint;", "ALTER TABLE t CHANGE a b text;", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);", "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id);",
    "ALTER TABLE t DROP PRIMARY KEY;", "ALTER TABLE t ADD COLUMN g int AS (a + 1) STORED;", "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;", "ALTER TABLE t MODIFY a bigint, ALGORITHM=COPY;",
  ], [
    "ALTER TABLE t MODIFY a bigint, ALGORITHM=INPLACE;", "ALTER TABLE t ALGORITHM = INSTANT, ADD COLUMN b int;", "ALTER TABLE t ADD INDEX (a);", "ALTER TABLE t ADD COLUMN b int;",
    "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b);", "ALTER TABLE t ADD COLUMN g int AS (a + 1) VIRTUAL;", "ALTER TABLE t RENAME COLUMN a TO b;",
    "CREATE TABLE t (a int);\nALTER TABLE t MODIFY a bigint;", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0), ALGORITHM=NOCOPY;",
  ]),
  ...each("sqlite-nonconstant-default", ["sqlite"], ["ALTER TABLE t ADD COLUMN a text DEFAULT CURRENT_TIMESTAMP;", "ALTER TABLE t ADD COLUMN a int DEFAULT (1 + 1);", "ALTER TABLE t ADD COLUMN a int GENERATED ALWAYS AS (b + 1) STORED;"], [
    "ALTER TABLE t ADD COLUMN a text DEFAULT 'CURRENT_TIMESTAMP';", "ALTER TABLE t ADD COLUMN a int GENERATED ALWAYS AS (b + 1) VIRTUAL;", "ALTER TABLE t ADD COLUMN a int DEFAULT -1;",
    "CREATE TABLE t (b int);\nALTER TABLE t ADD COLUMN a text DEFAULT CURRENT_TIMESTAMP;",
  ]),
  ...each("invalid-lint-ignore", ALL, ["-- stagecraft:lint-ignore drop-table\nDROP TABLE t;", "-- stagecraft:lint-ignore drop-tables typo in the ID\nDROP TABLE t;", "DROP TABLE t;\n-- stagecraft:lint-ignore drop-table after the last statement", "-- stagecraft:lint-ignore"], [
    "-- stagecraft:lint-ignore drop-table scratch table\nDROP TABLE t;", "DROP TABLE t; -- stagecraft:lint-ignore drop-table scratch table",
  ]),
];

describe("lint rules: a failing and a passing fixture per dialect", () => {
  it.each(FIXTURES.flatMap((f) => f.fails.map((sql) => [f.rule, f.dialect, sql] as const)))("%s on %s flags %j", async (rule, dialect, sql) => {
    expect(await rules(dialect, sql)).toContain(rule);
  });
  it.each(FIXTURES.flatMap((f) => f.passes.map((sql) => [f.rule, f.dialect, sql] as const)))("%s on %s passes %j", async (rule, dialect, sql) => {
    expect(await rules(dialect, sql)).not.toContain(rule);
  });
});

describe("lint findings", () => {
  it("carry rule, severity, migration, file, line, column, the statement, a reason and a fix", async () => {
    const [finding] = await lint("postgres", { id: "002_index", script: "-- index for login\n\n  CREATE INDEX CONCURRENTLY users_email\n    ON users (email);\n" });
    expect(finding).toEqual({
      rule: "requires-no-transaction", severity: "error", migration: "002_index", file: "/project/migrations/002_index.sql", line: 3, column: 3,
      statement: "CREATE INDEX CONCURRENTLY users_email ON users (email)",
      message: "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this migration runs in one (with its bookkeeping row)",
      fix: "start the file with `-- stagecraft:no-transaction` and keep CREATE INDEX CONCURRENTLY in a migration of its own (outside a transaction, a failure leaves the statements before it applied)",
    });
  });

  it("place syntax errors at the offending token, PostgreSQL and SQLite alike", async () => {
    const pg = await lint("postgres", "SELECT 1;\nCREATE TABLE t (\n  id int,\n);");
    expect(pg.map((f) => [f.rule, f.line, f.column, f.message])).toEqual([["syntax-error", 4, 1, 'syntax error at or near ")"']]);
    const sqlite = await lint("sqlite", "SELECT 1;\nCREATE TABLE t (\n  id int,\n);");
    expect(sqlite.map((f) => [f.rule, f.line, f.column, f.message])).toEqual([["syntax-error", 4, 1, 'near ")": syntax error']]);
  });

  it("an ALTER TABLE SQLite rejects is explained as unsupported, pointing at the token SQLite stopped at", async () => {
    const [finding] = await lint("sqlite", "ALTER TABLE users ALTER COLUMN email TYPE varchar(320);");
    expect(finding).toMatchObject({ rule: "sqlite-unsupported-alter", severity: "error", line: 1, column: 38 });
    expect(finding!.message).toContain("ALTER COLUMN");
    expect(finding!.fix).toContain("rebuild the table");
  });

  it("on MySQL no transaction rule applies: every statement commits on its own", async () => {
    expect(await rules("mysql", "BEGIN;\nCOMMIT;\nCREATE INDEX i ON t (a);")).toEqual([]);
  });

  it("a MySQL compound body is one statement, its inner statements are not read as the migration's", async () => {
    const body = "CREATE PROCEDURE cleanup() BEGIN DELETE FROM sessions; DROP TABLE tmp; END;\nCREATE TABLE t (id int);";
    expect(await rules("mysql", body)).toEqual([]);
  });

  it("SQLite's table rebuild (create, copy, drop, rename) is neither a dropped nor a renamed table", async () => {
    const rebuild = 'PRAGMA foreign_keys=OFF;\nCREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL);\nINSERT INTO "new_User" ("id", "name") SELECT "id", "name" FROM "User";\nDROP TABLE "User";\nALTER TABLE "new_User" RENAME TO "User";\nCREATE INDEX "User_name" ON "User"("name");\nPRAGMA foreign_keys=ON;';
    expect(await rules("sqlite", rebuild)).toEqual([]);
    expect(await rules("sqlite", "DROP TABLE users;\nCREATE TABLE users (id integer);")).toEqual(["drop-table"]);
  });

  it("column-type-change knows the old type from earlier migrations of the folder", async () => {
    const create = "CREATE TABLE notes (body varchar(100), amount numeric(10,2), n int, tag text);";
    expect(await rules("postgres", create, "ALTER TABLE notes ALTER COLUMN body TYPE text, ALTER COLUMN amount TYPE numeric(12,2), ALTER COLUMN tag TYPE varchar;")).toEqual([]);
    expect(await rules("postgres", create, "ALTER TABLE notes ALTER COLUMN body TYPE varchar(200);")).toEqual([]);
    const narrowed = await lint("postgres", create, "ALTER TABLE notes ALTER COLUMN body TYPE varchar(50), ALTER COLUMN n TYPE bigint, ALTER COLUMN amount TYPE numeric(12,3);");
    expect(narrowed.map((f) => f.message)).toEqual([
      "changing notes.body from varchar(100) to varchar(50) rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
      "changing notes.n from integer to bigint rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
      "changing notes.amount from numeric(10,2) to numeric(12,3) rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
    ]);
    expect((await lint("postgres", "ALTER TABLE notes ALTER COLUMN body TYPE text;"))[0]!.message).toContain("unless the old type is binary-compatible");
    expect(await rules("postgres", create, "ALTER TABLE notes RENAME COLUMN body TO text_body;", "ALTER TABLE notes ALTER COLUMN text_body TYPE text;")).toEqual(["rename-column"]);
  });

  it("set-not-null accepts a check validated in an earlier migration", async () => {
    expect(await rules("postgres", "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;", "ALTER TABLE t VALIDATE CONSTRAINT c;", "ALTER TABLE t ALTER COLUMN a SET NOT NULL;")).toEqual([]);
    expect(await rules("postgres", "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;", "ALTER TABLE t ALTER COLUMN a SET NOT NULL;")).toEqual(["set-not-null"]);
  });

  it("lint-ignore: on the statement, at its line end, or for the whole file from the header", async () => {
    const script = "-- stagecraft:lint-ignore drop-column the old release never reads b\n\nALTER TABLE t DROP COLUMN a;\n-- stagecraft:lint-ignore truncate staging table\nTRUNCATE s;\nTRUNCATE u;\nDROP TABLE v; -- stagecraft:lint-ignore drop-table scratch\nDROP TABLE w;\nALTER TABLE x DROP COLUMN y;";
    const found = await lint("postgres", script);
    expect(found.map((f) => `${f.rule}:${f.line}`)).toEqual(["truncate:6", "drop-table:8"]);
    // Directly above the first statement (no blank line): that statement only.
    expect(await rules("postgres", "-- stagecraft:lint-ignore drop-table done\nDROP TABLE a;\nDROP TABLE b;")).toEqual(["drop-table"]);
    expect(await rules("postgres", "-- stagecraft:no-transaction\n-- stagecraft:lint-ignore requires-no-transaction,index-not-concurrent checked\n\nVACUUM;\nCREATE INDEX i ON t (a);")).toEqual([]);
  });

  it("a file PostgreSQL cannot parse has no statements, so its lint-ignore comments count for the whole file", async () => {
    expect(await rules("postgres", "SELEC 1;")).toEqual(["syntax-error"]);
    expect(await rules("postgres", "-- stagecraft:lint-ignore syntax-error uses a PostgreSQL 19 feature\nSELEC 1;")).toEqual([]);
    expect(await rules("postgres", "-- stagecraft:lint-ignore syntax-error\nSELEC 1;")).toEqual(["invalid-lint-ignore", "syntax-error"]);
  });

  it("severities come from the config: error, warning or off", async () => {
    const { folderOf } = await import("../helpers/lint-kit.js");
    const folder = await folderOf("postgres", ["DROP TABLE t;\nALTER TABLE u RENAME TO v;\nVACUUM;"], { "drop-table": "error", "rename-table": "off", "requires-no-transaction": "warning" });
    expect(folder.findings().map((f) => `${f.rule}:${f.severity}`)).toEqual(["drop-table:error", "requires-no-transaction:warning"]);
    expect(folder.errorSets().map((s) => s.finding.rule)).toEqual(["drop-table"]);
  });
});

describe("lint of a folder", () => {
  it("drizzle chunks are split one by one; a chunk PostgreSQL rejects loses only itself", async () => {
    const script = "CREATE TABLE t (id int);\n--> statement-breakpoint\nCREATE INDEX i ON u (a)\n--> statement-breakpoint\nSELEC 1;\n--> statement-breakpoint\nDROP TABLE v;";
    const chunks: { start: number; end: number }[] = [];
    let start = 0;
    for (let at = script.indexOf("--> statement-breakpoint"); at >= 0; at = script.indexOf("--> statement-breakpoint", start)) {
      chunks.push({ start, end: at });
      start = at + "--> statement-breakpoint".length;
    }
    chunks.push({ start, end: script.length });
    const found = await lint("postgres", { script, chunks });
    expect(found.map((f) => `${f.rule}:${f.line}`)).toEqual(["index-not-concurrent:3", "syntax-error:5", "drop-table:7"]);
  });

  it("under transaction_mode: all an enum value added by one migration fails a later one of the same run", async () => {
    const { folderOf } = await import("../helpers/lint-kit.js");
    const folder = await folderOf("postgres", [
      { id: "001", script: "ALTER TYPE mood ADD VALUE 'ecstatic';", transaction: "run" },
      { id: "002", script: "CREATE TABLE t (id int);", transaction: "run" },
      { id: "003", script: "UPDATE people SET mood = 'ecstatic';", transaction: "run" },
    ]);
    expect(folder.findings().map((f) => `${f.migration}:${f.rule}`)).toEqual(["003:new-enum-value-used"]);
    expect(folder.findings().at(0)!.message).toContain("/project/migrations/001.sql:1");
    // When 001 is applied already, 003 runs in a transaction of its own and may use the value.
    expect(folder.findings(["002", "003"])).toEqual([]);
    expect(folder.errorSets().map((s) => s.migrations)).toEqual([["001", "003"]]);
  });

  it("per-migration transactions: the value may be used by the next migration", async () => {
    expect(await rules("postgres", "ALTER TYPE mood ADD VALUE 'ecstatic';", "UPDATE people SET mood = 'ecstatic';")).toEqual([]);
  });

  it("the run gate leaves PostgreSQL syntax errors to the engine, which refuses them before running anything; SQLite's are the gate's", async () => {
    const { folderOf } = await import("../helpers/lint-kit.js");
    const pg = await folderOf("postgres", ["SELEC 1;"]);
    expect([pg.findings().map((f) => f.rule), pg.errorSets()]).toEqual([["syntax-error"], []]);
    const sqlite = await folderOf("sqlite", ["SELEC 1;"]);
    expect(sqlite.errorSets().map((s) => [s.migrations, s.finding.rule])).toEqual([[["001_m"], "syntax-error"]]);
  });

  it("findings(ids) keeps only the migrations asked for, in apply order", async () => {
    const { folderOf } = await import("../helpers/lint-kit.js");
    const folder = await folderOf("postgres", ["DROP TABLE a;", "SELECT 1;", "DROP TABLE c;"]);
    expect(folder.findings(["003_m"]).map((f) => f.migration)).toEqual(["003_m"]);
    expect(folder.findings(["003_m", "001_m"]).map((f) => f.migration)).toEqual(["001_m", "003_m"]);
    expect(folder.findings([])).toEqual([]);
  });

  it("a byte-order mark keeps lines and columns where the editor shows them", async () => {
    const [finding] = await lint("postgres", "\uFEFFSELECT 1;\nDROP TABLE t;");
    expect([finding!.line, finding!.column]).toEqual([2, 1]);
  });
});
