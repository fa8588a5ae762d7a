import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { splitStatements } from "../../dist/src/sql/split-statements.js";

async function split(text: string): Promise<[number, string][]> {
  return (await splitStatements(text, "sqlite")).map((s) => [s.line, s.text]);
}

describe("SQLite splitter", () => {
  it("keeps a trigger body whole, with CASE … END and `;` in strings inside it", async () => {
    const trigger = [
      "CREATE TRIGGER grade AFTER INSERT ON scores",
      "BEGIN",
      "  UPDATE scores SET grade = CASE WHEN NEW.points >= 90 THEN 'A;' WHEN NEW.points >= 50 THEN 'B'",
      "    ELSE 'C' END WHERE id = NEW.id;",
      "  SELECT RAISE(ABORT, 'no; way') WHERE NEW.points < 0;",
      "END",
    ].join("\n");
    expect(await split(`CREATE TABLE scores (id INTEGER PRIMARY KEY, points INT, grade TEXT);\n${trigger};\nINSERT INTO scores (points) VALUES (95);`)).toEqual([
      [1, "CREATE TABLE scores (id INTEGER PRIMARY KEY, points INT, grade TEXT)"],
      [2, trigger],
      [8, "INSERT INTO scores (points) VALUES (95)"],
    ]);
  });

  it("reads TEMP triggers, EXPLAIN and a trigger at the end of the file without its last `;`", async () => {
    expect(await split("CREATE TEMP TRIGGER a AFTER DELETE ON t BEGIN DELETE FROM u; END;\nEXPLAIN CREATE TRIGGER b AFTER DELETE ON t BEGIN SELECT 1; END;\nCREATE TRIGGER c AFTER INSERT ON t BEGIN SELECT 1; END")).toEqual([
      [1, "CREATE TEMP TRIGGER a AFTER DELETE ON t BEGIN DELETE FROM u; END"],
      [2, "EXPLAIN CREATE TRIGGER b AFTER DELETE ON t BEGIN SELECT 1; END"],
      [3, "CREATE TRIGGER c AFTER INSERT ON t BEGIN SELECT 1; END"],
    ]);
  });

  it("ends other statements at `;`, including ones that name a trigger or hold CASE … END", async () => {
    expect(await split("CREATE TABLE trigger_log (a);\nDROP TRIGGER IF EXISTS x;\nSELECT CASE WHEN 1 THEN 2 END;\nSELECT 3")).toEqual([
      [1, "CREATE TABLE trigger_log (a)"],
      [2, "DROP TRIGGER IF EXISTS x"],
      [3, "SELECT CASE WHEN 1 THEN 2 END"],
      [4, "SELECT 3"],
    ]);
  });

  it("reads `--` comments without a space, /* */ comments, and quoted names of every kind", async () => {
    expect(await split("--a; comment\nSELECT 1;/* b; */SELECT \"x;\", [y;], `z;`, 'w;'; -- end")).toEqual([
      [2, "SELECT 1"],
      [2, "SELECT \"x;\", [y;], `z;`, 'w;'"],
    ]);
  });

  it("cuts where SQLite itself does: every piece prepares as exactly one complete statement", async () => {
    const script = [
      "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, [semi;colon] INT);",
      "CREATE TEMP TRIGGER t_ai AFTER INSERT ON t BEGIN",
      "  UPDATE t SET v = CASE WHEN NEW.id > 1 THEN 'big; one' ELSE 'small' END WHERE id = NEW.id;",
      "  SELECT CASE NEW.id WHEN 0 THEN RAISE(ABORT, 'zero; not allowed') END;",
      "END;",
      "INSERT INTO t (id) VALUES (1), (2); -- two rows",
      "/* a comment; */ SELECT v FROM t ORDER BY id;",
    ].join("\n");
    const db = new Database(":memory:");
    try {
      // better-sqlite3's prepare() refuses a text holding more than one statement, or an incomplete one.
      for (const statement of await splitStatements(script, "sqlite")) db.prepare(statement.text).run();
      expect(db.prepare("SELECT v FROM t ORDER BY id").pluck().all()).toEqual(["small", "big; one"]);
    } finally {
      db.close();
    }
  });
});
