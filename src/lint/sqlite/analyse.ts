import { SQLITE_RULES } from "../../sql/split-sqlite.js";
import type { SqlStatement } from "../../sql/statement.js";
import { readColumnDef } from "../column-def.js";
import type { StatementFacts } from "../facts.js";
import { Tokens } from "../tokens.js";

const DML = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE"]);

/** Facts of one SQLite statement from its tokens (the splitter's scanner). */
export function analyseSqlite(statement: SqlStatement): StatementFacts {
  const t = Tokens.of(statement, SQLITE_RULES);
  const first = t.word(0);
  if (first === undefined) return { kind: "other" };
  if (DML.has(first)) return { kind: "dml" };
  if (first === "SELECT" || first === "WITH" || first === "VALUES") return { kind: "query" };
  if (first === "BEGIN" || first === "COMMIT" || first === "END") return { kind: "transaction", transactionControl: first };
  if (first === "ROLLBACK") return t.find(1, t.length, "TO") >= 0 ? { kind: "transaction" } : { kind: "transaction", transactionControl: "ROLLBACK" };
  if (first === "VACUUM") return { kind: "other", needsNoTransaction: "VACUUM" };
  if (first === "PRAGMA") return pragma(t);
  if (first === "CREATE") {
    let i = 1;
    if (t.is(i, "TEMP", "TEMPORARY")) i++;
    if (t.is(i, "TABLE") || (t.is(i, "VIRTUAL") && t.is(i + 1, "TABLE"))) {
      const name = t.qualifiedName(t.skipIfExists(t.is(i, "VIRTUAL") ? i + 2 : i + 1));
      return { kind: "ddl", ...(name ? { createsTables: [name.name] } : {}) };
    }
    if (t.is(i, "INDEX") || (t.is(i, "UNIQUE") && t.is(i + 1, "INDEX"))) {
      const on = t.find(i, t.length, "ON");
      const table = on >= 0 ? t.qualifiedName(on + 1) : undefined;
      return { kind: "ddl", ...(table ? { createsIndex: { table: table.name, concurrently: false } } : {}) };
    }
    return { kind: "ddl" };
  }
  if (first === "DROP") {
    if (!t.is(1, "TABLE")) return { kind: "ddl" };
    const name = t.qualifiedName(t.skipIfExists(2));
    return { kind: "ddl", ...(name ? { dropsTables: [name.name] } : {}) };
  }
  if (first === "ALTER" && t.is(1, "TABLE")) return alterTable(t);
  return { kind: "other" };
}

/** `PRAGMA journal_mode = WAL` fails inside a transaction ("cannot change into wal mode from within a transaction"). */
function pragma(t: Tokens): StatementFacts {
  const name = t.qualifiedName(1);
  if (name?.name !== "journal_mode") return { kind: "other" };
  const at = t.punct(name.next, "=") ? name.next + 1 : t.punct(name.next, "(") ? name.next + 1 : -1;
  return at >= 0 && t.name(at) === "wal" ? { kind: "other", needsNoTransaction: "PRAGMA journal_mode = WAL" } : { kind: "other" };
}

/** SQLite's ALTER TABLE: RENAME TO, RENAME [COLUMN] a TO b, ADD [COLUMN] def, DROP [COLUMN] name. */
function alterTable(t: Tokens): StatementFacts {
  const table = t.qualifiedName(2);
  if (table === undefined) return { kind: "ddl" };
  const i = table.next;
  if (t.is(i, "RENAME")) {
    if (t.is(i + 1, "TO")) {
      const to = t.name(i + 2);
      return { kind: "ddl", alter: { table: table.name, actions: to === undefined ? [] : [{ kind: "rename-table", to }] } };
    }
    const at = t.is(i + 1, "COLUMN") ? i + 2 : i + 1;
    const from = t.name(at);
    const to = t.name(at + 2);
    return { kind: "ddl", alter: { table: table.name, actions: from !== undefined && to !== undefined ? [{ kind: "rename-column", from, to }] : [] } };
  }
  if (t.is(i, "DROP") && !t.is(i + 1, "CONSTRAINT")) {
    const column = t.name(t.is(i + 1, "COLUMN") ? i + 2 : i + 1);
    return { kind: "ddl", alter: { table: table.name, actions: column === undefined ? [] : [{ kind: "drop-column", column }] } };
  }
  if (t.is(i, "ADD") && !t.is(i + 1, "CONSTRAINT", "CHECK")) {
    const def = readColumnDef(t, t.is(i + 1, "COLUMN") ? i + 2 : i + 1, t.length);
    if (def === undefined) return { kind: "ddl", alter: { table: table.name, actions: [] } };
    const perRowValue = def.computedDefault ?? (def.generated === "STORED" ? "a STORED generated value" : undefined);
    const unsupportedAlter = def.primaryKey ? `ADD COLUMN ${def.column} … PRIMARY KEY` : def.unique ? `ADD COLUMN ${def.column} … UNIQUE` : undefined;
    return {
      kind: "ddl",
      alter: { table: table.name, actions: [{ kind: "add-column", column: def.column, notNull: def.notNull, filled: def.filled, ...(perRowValue ? { perRowValue } : {}) }] },
      ...(unsupportedAlter ? { unsupportedAlter } : {}),
    };
  }
  return { kind: "ddl", alter: { table: table.name, actions: [] } };
}

/**
 * What an ALTER TABLE that SQLite's parser rejected tried to do, for the message: SQLite's
 * ALTER TABLE knows RENAME, ADD COLUMN and DROP COLUMN (and, in recent versions, a few more).
 */
export function describeAlter(statement: SqlStatement): string {
  const t = Tokens.of(statement, SQLITE_RULES);
  const table = t.qualifiedName(2);
  if (table === undefined) return "this ALTER TABLE";
  const actions = t.splitTopLevel(table.next);
  if (actions.length > 1) return "several changes in one ALTER TABLE";
  const words = [t.word(table.next), t.word(table.next + 1)].filter((w) => w !== undefined).join(" ");
  if (t.is(table.next, "ALTER") || t.is(table.next, "MODIFY", "CHANGE")) return `${t.word(table.next)} COLUMN (changing a column's type or constraints)`;
  return words === "" ? "this ALTER TABLE" : words;
}
