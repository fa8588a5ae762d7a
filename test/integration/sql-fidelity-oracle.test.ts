import mysql from "mysql2/promise";
import { afterAll, describe, expect, it } from "vitest";
import { splitStatements } from "../../dist/src/sql/split-statements.js";
import { availableDialects, createDatabase, type TestDatabase } from "../helpers/servers.js";
import { tempProject } from "../helpers/project.js";
import { CONSTRUCTS } from "./sql-fidelity-fixtures.js";
import { mysqlHistory } from "./sql-fidelity-histories.js";

/**
 * The server is the oracle: sent as one multi-statement query (as Prisma and golang-migrate send
 * a file), MariaDB returns one result per statement it found. stagecraft's MySQL splitter must
 * find the same number in every file it is given, one file after the other on one database.
 */
const dialects = await availableDialects();
const project = tempProject();
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  project.cleanup();
});

describe.runIf(dialects.includes("mysql"))("MySQL splitter against the server's own grammar", () => {
  it("finds as many statements as MariaDB runs, in every file without DELIMITER lines", async () => {
    const files = [
      ...CONSTRUCTS.filter((c) => c.dialect === "mysql" && !/^delimiter /im.test(c.sql)).map((c) => c.sql),
      ...mysqlHistory().map((f) => f.sql),
    ];
    const counts = { ours: [] as number[], server: [] as number[] };
    for (const [i, sql] of files.entries()) {
      // Each construct starts on a fresh database; the history builds on one.
      if (i < files.length - mysqlHistory().length || databases.length === 0) databases.push(await createDatabase("mysql", project.dir));
      counts.ours.push((await splitStatements(sql, "mysql")).length);
      counts.server.push(await serverCount(databases.at(-1)!.url, sql));
    }
    expect(files.length).toBeGreaterThan(40);
    expect(counts.ours).toEqual(counts.server);
  }, 180_000);
});

/**
 * Statements MariaDB ran for `sql` sent whole. Several statements give one result each (a list
 * of rows or a ResultSetHeader); one statement gives its result alone.
 */
async function serverCount(url: string, sql: string): Promise<number> {
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    // A comment after the last `;` comes back as one more (empty) result: it is not a statement.
    const [results] = await conn.query(sql.replace(/;[ \t]*--[^\n]*\s*$/, ";"));
    const multi = Array.isArray(results) && results.length > 0 && results.every((r) => Array.isArray(r) || (r as object).constructor.name === "ResultSetHeader");
    return multi ? results.length : 1;
  } finally {
    await conn.end();
  }
}
