import { describe, expect, it } from "vitest";
import { splitStatements } from "../../dist/src/sql/split-statements.js";
import { SqlSyntaxError } from "../../dist/src/sql/statement.js";

async function split(text: string): Promise<[number, number, string][]> {
  return (await splitStatements(text, "postgres")).map((s) => [s.line, s.column, s.text]);
}

describe("PostgreSQL splitter (PostgreSQL's own parser)", () => {
  it("finds statements where psql does: E'' strings, dollar tags with digits and underscores, BEGIN ATOMIC", async () => {
    const atomic = "CREATE FUNCTION two() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND";
    const text = [
      "INSERT INTO notes VALUES (E'it\\'s; a test');",
      "CREATE FUNCTION f1() RETURNS int AS $fn1$ SELECT 1; $fn1$ LANGUAGE sql;",
      "DO $body_2$ BEGIN PERFORM 1; RAISE NOTICE '$$;'; END $body_2$;",
      `${atomic};`,
      "SELECT 'a''; b' AS \"x;\" -- trailing comment",
    ].join("\n");
    expect(await split(text)).toEqual([
      [1, 1, "INSERT INTO notes VALUES (E'it\\'s; a test')"],
      [2, 1, "CREATE FUNCTION f1() RETURNS int AS $fn1$ SELECT 1; $fn1$ LANGUAGE sql"],
      [3, 1, "DO $body_2$ BEGIN PERFORM 1; RAISE NOTICE '$$;'; END $body_2$"],
      [4, 1, atomic],
      [9, 1, "SELECT 'a''; b' AS \"x;\" -- trailing comment"],
    ]);
  });

  it("gives each statement its parse-tree node", async () => {
    const [create, insert] = await splitStatements("CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);", "postgres");
    expect(Object.keys(create!.node!)).toEqual(["CreateStmt"]);
    expect(Object.keys(insert!.node!)).toEqual(["InsertStmt"]);
  });

  it("turns the parser's UTF-8 byte offsets into string offsets on multibyte text", async () => {
    const text = "-- ünïcödé 😀 comment\nCREATE TABLE café (naïve text);  /* ☕ */ INSERT INTO café VALUES ('😀;');\nSELECT 1";
    const statements = await splitStatements(text, "postgres");
    expect(statements.map((s) => [s.line, s.column, s.text])).toEqual([
      [2, 1, "CREATE TABLE café (naïve text)"],
      [2, 42, "INSERT INTO café VALUES ('😀;')"],
      [3, 1, "SELECT 1"],
    ]);
    for (const s of statements) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it("has no statements in an empty script or one of comments only", async () => {
    expect(await split("")).toEqual([]);
    expect(await split("-- only\n/* comments */\n")).toEqual([]);
  });

  it("reports a syntax error at its line and column (in characters) before anything runs", async () => {
    const error = await splitStatements("SELECT 'é😀';\nCREATE TABLE ok (id int);\n  SELEC 1;", "postgres").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlSyntaxError);
    expect(error).toMatchObject({ message: 'syntax error at or near "SELEC"', line: 3, column: 3 });
  });

  it("refuses psql meta-commands and COPY data, which are no SQL, at their line", async () => {
    await expect(splitStatements("SELECT 1;\n\\set x 1\n", "postgres")).rejects.toMatchObject({ message: 'syntax error at or near "\\"', line: 2, column: 1 });
    await expect(splitStatements("COPY t (a) FROM stdin;\n1\n\\.\n", "postgres")).rejects.toMatchObject({ line: 2, column: 1 });
  });

  it("splits one range of a script with positions in the whole script (drizzle chunks)", async () => {
    const text = "CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int)\n";
    const start = text.indexOf("CREATE TABLE b");
    expect((await splitStatements(text, "postgres", { start, end: text.length })).map((s) => [s.line, s.start, s.text])).toEqual([[3, start, "CREATE TABLE b (id int)"]]);
    const bad = "SELECT 1;\n--> statement-breakpoint\nSELECT (;\n";
    await expect(splitStatements(bad, "postgres", { start: bad.indexOf("SELECT ("), end: bad.length })).rejects.toMatchObject({ line: 3, column: 9 });
  });
});
