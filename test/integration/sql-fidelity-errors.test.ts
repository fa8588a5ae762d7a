import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

async function project(dialect: Dialect, engine: string, files: Record<string, string>): Promise<EngineProject> {
  const p = await engineProject(dialect, engine, files);
  projects.push(p);
  return p;
}

const on = (dialect: Dialect) => (dialects.includes(dialect) ? it : it.skip);

describe("errors name file and line wherever a statement is cut or sent", () => {
  on("mysql")("MySQL: a failure after a compound body names its line and counts the body as one statement", async () => {
    const p = await project("mysql", "raw", {
      "001_proc.sql": "CREATE TABLE t (id INT);\nCREATE PROCEDURE fill()\nBEGIN\n  INSERT INTO t VALUES (1);\n  INSERT INTO t VALUES (2);\nEND;\nCALL fill();\nINSERT INTO missing VALUES (1);\n",
    });
    const db = only(await p.run());
    expect(db.status).toBe("failed");
    expect(db.error?.message).toContain("001_proc.sql:8: ");
    expect(db.error?.message).toContain("statements 1–3 of 4 had run and stay applied");
    expect(await p.db.query("SELECT id FROM t ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
  });

  on("postgres")("PostgreSQL: a file sent whole names the failing statement's line, with or without a server position", async () => {
    const p = await project("postgres", "raw", {
      "001_dup.sql": "CREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1);\nDO $x$ BEGIN\n  PERFORM 1;\nEND $x$;\nINSERT INTO u\n  VALUES (1);\n",
    });
    const dup = only(await p.run());
    expect(dup.error?.message).toMatch(/001_dup\.sql:6: duplicate key value violates unique constraint/);
    expect(await p.db.query("SELECT to_regclass('u') AS t")).toEqual([{ t: null }]);

    p.migration("001_dup.sql", "CREATE TABLE u (id int PRIMARY KEY);\nSELECT 1;\nSELECT id,\n  nope FROM u;\n");
    expect(only(await p.run()).error?.message).toMatch(/001_dup\.sql:4: column "nope" does not exist/);
  });

  on("postgres")("PostgreSQL: a syntax error anywhere stops the run before any migration is applied, at file:line:column", async () => {
    const p = await project("postgres", "raw", {
      "001_ok.sql": "CREATE TABLE ok (id int);\n",
      "002_bad.sql": "CREATE TABLE fine (id int);\n\nSELECT (1 +;\n",
    });
    const db = only(await p.run());
    expect(db.status).toBe("failed");
    expect(db.error).toMatchObject({ kind: "migration_failed", migration: "002_bad", line: 3 });
    expect(db.error?.message).toContain("002_bad.sql:3:12: syntax error at or near \";\" (nothing was run)");
    expect(only(await p.plan()).migrations.map((m) => m.applied)).toEqual([false, false]);
  });

  on("postgres")("PostgreSQL: a no-transaction file runs statement by statement, so CREATE INDEX CONCURRENTLY works beside other statements", async () => {
    const p = await project("postgres", "raw", {
      "001_t.sql": "CREATE TABLE t (id int, v text);\n",
      "002_idx.sql": "-- stagecraft:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\nDO $$ BEGIN PERFORM 1; END $$;\nCREATE INDEX CONCURRENTLY t_v ON t (v);\n",
    });
    expect(only(await p.run()).applied).toEqual(["001_t", "002_idx"]);
    expect(await p.db.query("SELECT count(*)::int AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('t_id', 't_v') AND i.indisvalid")).toEqual([{ n: 2 }]);
  });

  on("postgres")("drizzle on PostgreSQL: chunks are parsed and sent one by one, so a chunk without its final `;` is fine", async () => {
    const p = await project("postgres", "drizzle", {
      "20240101000000_a/migration.sql": "CREATE TABLE a (id int)\n--> statement-breakpoint\nCREATE TABLE b (id int)\n--> statement-breakpoint\nINSERT INTO a VALUES (1);\nINSERT INTO b VALUES ('x');\n",
    });
    const db = only(await p.run());
    expect(db.error?.message).toMatch(/migration\.sql:6: invalid input syntax for type integer/);
    p.migration("20240101000000_a/migration.sql", "CREATE TABLE a (id int)\n--> statement-breakpoint\nCREATE TABLE b (id int)\n");
    expect(only(await p.run()).applied).toEqual(["20240101000000_a"]);
  });

  on("sqlite")("SQLite: a failure after a trigger body names its line", async () => {
    const p = await project("sqlite", "prisma", {
      "20240101000000_trig/migration.sql": "CREATE TABLE t (id INTEGER, grade TEXT);\nCREATE TRIGGER g AFTER INSERT ON t\nBEGIN\n  UPDATE t SET grade = CASE WHEN NEW.id > 1 THEN 'a' ELSE 'b' END;\nEND;\nINSERT INTO nope VALUES (1);\n",
    });
    expect(only(await p.run()).error?.message).toContain("migration.sql:6: no such table: nope");
  });
});
