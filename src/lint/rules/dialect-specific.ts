import type { Rule, RuleHit } from "../rule.js";

/** MySQL commits each DDL statement at once: a migration that also changes data cannot be atomic. */
export const mixedDdlDml: Rule = {
  id: "mixed-ddl-dml",
  severity: "warning",
  dialects: ["mysql"],
  summary: "a MySQL migration that mixes schema changes and data changes",
  check(statement, ctx) {
    if (statement.facts.kind !== "dml" || ctx.source.transaction !== "none") return undefined;
    if (ctx.statements.findIndex((s) => s.facts.kind === "dml") !== statement.index) return undefined;
    const ddl = ctx.statements.find((s) => s.facts.kind === "ddl");
    if (ddl === undefined) return undefined;
    return {
      message: `this migration changes data and also the schema (line ${ddl.line}): MySQL commits each DDL statement at once, so a failure leaves part of the migration applied`,
      fix: "put the data change in a migration of its own, after the schema change",
    };
  },
};

export const alterTableCopy: Rule = {
  id: "alter-table-copy",
  severity: "warning",
  dialects: ["mysql"],
  summary: "a MySQL ALTER TABLE the server would run by copying the table, without ALGORITHM=INSTANT|INPLACE",
  check(statement, ctx) {
    const reasons = statement.facts.copiesTable;
    const alter = statement.facts.alter;
    if (reasons === undefined || alter === undefined || ctx.createdBefore(alter.table, statement.index)) return undefined;
    return {
      message: `ALTER TABLE ${alter.table} copies the table (${reasons.join("; ")}), blocking writes until the copy is done`,
      fix: "add ALGORITHM=INPLACE (or INSTANT) so the server refuses rather than copies; run a copying change with an online schema-change tool (gh-ost, pt-online-schema-change)",
    };
  },
};

const REBUILD = "rebuild the table: CREATE TABLE new_t with the new shape, INSERT INTO new_t SELECT … FROM t, DROP TABLE t, ALTER TABLE new_t RENAME TO t (https://sqlite.org/lang_altertable.html#otheralter)";

export const sqliteUnsupportedAlter: Rule = {
  id: "sqlite-unsupported-alter",
  severity: "error",
  dialects: ["sqlite"],
  summary: "an ALTER TABLE form SQLite does not support",
  check(statement) {
    const form = statement.facts.unsupportedAlter;
    return form === undefined ? undefined : { message: `SQLite cannot ${form} (Cannot add a UNIQUE or PRIMARY KEY column)`, fix: REBUILD };
  },
};

export const sqliteNonconstantDefault: Rule = {
  id: "sqlite-nonconstant-default",
  severity: "warning",
  dialects: ["sqlite"],
  summary: "ADD COLUMN with a per-row value (CURRENT_TIMESTAMP, an expression, STORED) on an existing table",
  check(statement, ctx) {
    const alter = statement.facts.alter;
    if (alter === undefined || ctx.createdBefore(alter.table, statement.index)) return undefined;
    return alter.actions.flatMap((a): RuleHit[] => a.kind !== "add-column" || a.perRowValue === undefined ? [] : [{
      message: `SQLite refuses to add ${alter.table}.${a.column} with ${a.perRowValue} to a table that has rows (Cannot add a column with non-constant default)`,
      fix: `add it with a constant default (or nullable) and fill it with an UPDATE, or ${REBUILD}`,
    }]);
  },
};
