import { MYSQL_RULES } from "../../sql/split-mysql.js";
import type { SqlStatement } from "../../sql/statement.js";
import type { StatementFacts } from "../facts.js";
import { Tokens } from "../tokens.js";
import { readAlterOptions } from "./alter.js";

/** Algorithms with which the server refuses an operation rather than copy the table. */
const NO_COPY = new Set(["INSTANT", "INPLACE", "NOCOPY"]);
const DML = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD"]);
/** Statements that commit implicitly (MySQL "Statements That Cause an Implicit Commit"): DDL. */
const DDL = new Set(["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"]);

/**
 * Facts of one MySQL/MariaDB statement from its tokens (the splitter's scanner: comments,
 * strings and backtick names are never read as keywords).
 */
export function analyseMysql(statement: SqlStatement): StatementFacts {
  const t = Tokens.of(statement, MYSQL_RULES);
  const first = t.word(0);
  if (first === undefined) return { kind: "other" };
  if (DML.has(first)) return { kind: "dml" };
  if (first === "SELECT" || first === "WITH" || first === "TABLE" || first === "VALUES") return { kind: "query" };
  if (first === "START" || first === "COMMIT" || first === "ROLLBACK" || (first === "BEGIN" && !t.is(1, "NOT"))) {
    return first === "ROLLBACK" && t.find(1, t.length, "TO") >= 0 ? { kind: "transaction" } : { kind: "transaction", transactionControl: first === "START" ? "START TRANSACTION" : first };
  }
  if (!DDL.has(first)) return { kind: "other" };
  if (first === "CREATE") {
    let i = 1;
    if (t.is(i, "OR") && t.is(i + 1, "REPLACE")) i += 2;
    if (t.is(i, "TEMPORARY")) i++;
    if (t.is(i, "TABLE")) {
      const name = t.qualifiedName(t.skipIfExists(i + 1));
      return { kind: "ddl", ...(name ? { createsTables: [name.name] } : {}) };
    }
    const index = t.find(i, t.length, "INDEX");
    if (index >= 0 && index <= i + 2) {
      const on = t.find(index, t.length, "ON");
      const table = on >= 0 ? t.qualifiedName(on + 1) : undefined;
      return { kind: "ddl", ...(table ? { createsIndex: { table: table.name, concurrently: false } } : {}) };
    }
    return { kind: "ddl" };
  }
  if (first === "DROP") {
    const at = t.is(1, "TEMPORARY") ? 2 : 1;
    if (!t.is(at, "TABLE", "TABLES")) return { kind: "ddl" };
    const tables = t.splitTopLevel(t.skipIfExists(at + 1)).flatMap(([s]) => {
      const name = t.qualifiedName(s);
      return name && !t.is(s, "RESTRICT", "CASCADE") ? [name.name] : [];
    });
    return { kind: "ddl", dropsTables: tables };
  }
  if (first === "TRUNCATE") {
    const name = t.qualifiedName(t.is(1, "TABLE") ? 2 : 1);
    return { kind: "ddl", ...(name ? { truncates: [name.name] } : {}) };
  }
  if (first === "RENAME") {
    if (!t.is(1, "TABLE", "TABLES")) return { kind: "ddl" };
    const renames = t.splitTopLevel(2).flatMap(([s]) => {
      const from = t.qualifiedName(s);
      const to = from && t.is(from.next, "TO") ? t.qualifiedName(from.next + 1) : undefined;
      return from && to ? [{ from: from.name, to: to.name }] : [];
    });
    return { kind: "ddl", renamesTables: renames };
  }
  // ALTER [ONLINE] [IGNORE] TABLE name …
  let i = 1;
  while (t.is(i, "ONLINE", "IGNORE")) i++;
  if (!t.is(i, "TABLE")) return { kind: "ddl" };
  const table = t.qualifiedName(t.skipIfExists(i + 1));
  if (table === undefined) return { kind: "ddl" };
  const { actions, copies, algorithm } = readAlterOptions(t, table.next);
  const copying = algorithm !== undefined && NO_COPY.has(algorithm) ? [] : copies;
  return { kind: "ddl", alter: { table: table.name, actions }, ...(copying.length > 0 ? { copiesTable: copying } : {}) };
}
