import type { Rule, RuleHit } from "../rule.js";
import { typeChangeKeepsTable } from "./column-types.js";

const NO_TRANSACTION = "`-- stagecraft:no-transaction`";

export const columnTypeChange: Rule = {
  id: "column-type-change",
  severity: "warning",
  dialects: ["postgres"],
  summary: "ALTER COLUMN … TYPE that rewrites an existing table",
  check(statement, ctx) {
    const alter = statement.facts.alter;
    if (alter === undefined || ctx.createdBefore(alter.table, statement.index)) return undefined;
    return alter.actions.flatMap((a): RuleHit[] => {
      if (a.kind !== "column-type") return [];
      const old = ctx.history.typeOf(alter.table, a.column);
      if (!a.using && old !== undefined && typeChangeKeepsTable(old, a.type)) return [];
      const from = old === undefined ? "" : ` from ${old}`;
      const unless = old === undefined && !a.using ? " (unless the old type is binary-compatible with it, e.g. varchar(n) to text)" : "";
      return [{
        message: `changing ${alter.table}.${a.column}${from} to ${a.type}${a.using ? " with USING" : ""} rewrites the table and its indexes under an ACCESS EXCLUSIVE lock${unless}`,
        fix: "add a column of the new type, backfill it in batches, switch the release over, then drop the old column (widening varchar(n) or numeric(p,s), or switching to text, needs no rewrite)",
      }];
    });
  },
};

export const addNotNullColumn: Rule = {
  id: "add-not-null-column",
  severity: "warning",
  dialects: ["postgres", "mysql", "sqlite"],
  summary: "ADD COLUMN … NOT NULL without a default on an existing table",
  check(statement, ctx) {
    const alter = statement.facts.alter;
    if (alter === undefined || ctx.createdBefore(alter.table, statement.index)) return undefined;
    const advice = ctx.advice("add-not-null-column");
    return alter.actions.flatMap((a): RuleHit[] => a.kind !== "add-column" || !a.notNull || a.filled ? [] : [{
      message: `${alter.table}.${a.column}: ${advice?.message ?? "adding a NOT NULL column without a default fails on a table that has rows"}`,
      fix: advice?.fix ?? "give the column a DEFAULT, or add it nullable and backfill it",
    }]);
  },
};

export const setNotNull: Rule = {
  id: "set-not-null",
  severity: "warning",
  dialects: ["postgres"],
  summary: "SET NOT NULL without a validated CHECK (col IS NOT NULL)",
  check(statement, ctx) {
    const alter = statement.facts.alter;
    if (alter === undefined || ctx.createdBefore(alter.table, statement.index)) return undefined;
    return alter.actions.flatMap((a): RuleHit[] => a.kind !== "set-not-null" || ctx.history.provesNotNull(alter.table, a.column) ? [] : [{
      message: `SET NOT NULL on ${alter.table}.${a.column} scans the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes`,
      fix: `first ADD CONSTRAINT … CHECK (${a.column} IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT it (a lighter lock); then SET NOT NULL skips the scan (PostgreSQL 12+), and the check can be dropped`,
    }]);
  },
};

export const indexNotConcurrent: Rule = {
  id: "index-not-concurrent",
  severity: "warning",
  dialects: ["postgres"],
  summary: "CREATE INDEX (or a UNIQUE/PRIMARY KEY constraint) without CONCURRENTLY on an existing table",
  check(statement, ctx) {
    const hits: RuleHit[] = [];
    const index = statement.facts.createsIndex;
    if (index && !index.concurrently && !ctx.createdBefore(index.table, statement.index)) {
      hits.push({
        message: `CREATE INDEX without CONCURRENTLY blocks writes to ${index.table} until the index is built`,
        fix: `use CREATE INDEX CONCURRENTLY, in a migration of its own that starts with ${NO_TRANSACTION}`,
      });
    }
    const alter = statement.facts.alter;
    if (alter && !ctx.createdBefore(alter.table, statement.index)) {
      for (const a of alter.actions) {
        if (a.kind !== "add-constraint" || (a.constraint !== "unique" && a.constraint !== "primary-key") || a.usingIndex) continue;
        const what = a.constraint === "unique" ? "UNIQUE" : "PRIMARY KEY";
        hits.push({
          message: `ADD ${what} builds its index while blocking reads and writes to ${alter.table}`,
          fix: `CREATE UNIQUE INDEX CONCURRENTLY first (in a ${NO_TRANSACTION} migration), then ADD CONSTRAINT … ${what} USING INDEX`,
        });
      }
    }
    return hits;
  },
};

export const validatingConstraint: Rule = {
  id: "validating-constraint",
  severity: "warning",
  dialects: ["postgres"],
  summary: "ADD FOREIGN KEY or CHECK without NOT VALID on an existing table",
  check(statement, ctx) {
    const alter = statement.facts.alter;
    if (alter === undefined || ctx.createdBefore(alter.table, statement.index)) return undefined;
    return alter.actions.flatMap((a): RuleHit[] => {
      if (a.kind !== "add-constraint" || a.notValid || (a.constraint !== "foreign-key" && a.constraint !== "check")) return [];
      const what = a.constraint === "foreign-key" ? "FOREIGN KEY" : "CHECK";
      return [{
        message: `ADD ${what} checks every row of ${alter.table} while holding a lock that blocks writes${a.constraint === "foreign-key" ? " (on the referenced table too)" : ""}`,
        fix: `add it with NOT VALID, then VALIDATE CONSTRAINT ${a.name ?? "…"} in a later migration (it takes only a SHARE UPDATE EXCLUSIVE lock)`,
      }];
    });
  },
};
