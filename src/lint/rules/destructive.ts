import type { Rule, RuleHit } from "../rule.js";

const ALL = ["postgres", "mysql", "sqlite"] as const;
const EXPAND_CONTRACT = "ship a release that no longer uses it first, then drop it in a later migration";

export const dropTable: Rule = {
  id: "drop-table",
  severity: "warning",
  dialects: ALL,
  summary: "DROP TABLE of an existing table",
  check(statement, ctx) {
    // A table created earlier in this migration is scratch; one replaced by a rebuilt copy (SQLite's table rebuild) keeps its data.
    const tables = (statement.facts.dropsTables ?? []).filter((t) => !ctx.createdBefore(t, statement.index) && !ctx.replacedAfter(t, statement.index));
    if (tables.length === 0) return undefined;
    return {
      message: `DROP TABLE ${tables.join(", ")} deletes the table and its data; the release still running may read it`,
      fix: `${EXPAND_CONTRACT}; keep a backup if the data may be needed`,
    };
  },
};

export const dropColumn: Rule = {
  id: "drop-column",
  severity: "warning",
  dialects: ALL,
  summary: "DROP COLUMN on an existing table",
  check(statement, ctx) {
    const alter = statement.facts.alter;
    if (alter === undefined || ctx.createdBefore(alter.table, statement.index)) return undefined;
    return alter.actions.flatMap((a): RuleHit[] => a.kind !== "drop-column" ? [] : [{
      message: `dropping column ${alter.table}.${a.column} deletes its data; the release still running may read or write it`,
      fix: `${EXPAND_CONTRACT} (Rails: ignored_columns; Prisma/drizzle: remove it from the schema, deploy, then generate the drop)`,
    }]);
  },
};

export const truncate: Rule = {
  id: "truncate",
  severity: "warning",
  dialects: ["postgres", "mysql"],
  summary: "TRUNCATE of an existing table",
  check(statement, ctx) {
    const tables = (statement.facts.truncates ?? []).filter((t) => !ctx.createdBefore(t, statement.index));
    if (tables.length === 0) return undefined;
    const advice = ctx.advice("truncate");
    return {
      message: `TRUNCATE ${tables.join(", ")}: ${advice?.message ?? "deletes every row"}`,
      fix: advice?.fix ?? "make sure no release still needs the rows",
    };
  },
};

export const renameTable: Rule = {
  id: "rename-table",
  severity: "warning",
  dialects: ALL,
  summary: "renaming an existing table",
  check(statement, ctx) {
    const renames = [...(statement.facts.renamesTables ?? [])];
    const alter = statement.facts.alter;
    for (const a of alter?.actions ?? []) if (a.kind === "rename-table") renames.push({ from: alter!.table, to: a.to });
    return renames.filter((r) => !ctx.createdBefore(r.from, statement.index)).map((r) => ({
      message: `renaming table ${r.from} to ${r.to} breaks the release still running, which queries ${r.from}`,
      fix: `create ${r.to} (or a view named ${r.from} over it), move reads and writes over in a release, then drop the old name in a later migration`,
    }));
  },
};

export const renameColumn: Rule = {
  id: "rename-column",
  severity: "warning",
  dialects: ALL,
  summary: "renaming a column of an existing table",
  check(statement, ctx) {
    const alter = statement.facts.alter;
    if (alter === undefined || ctx.createdBefore(alter.table, statement.index)) return undefined;
    return alter.actions.flatMap((a): RuleHit[] => a.kind !== "rename-column" ? [] : [{
      message: `renaming column ${alter.table}.${a.from} to ${a.to} breaks the release still running, which uses ${a.from}`,
      fix: `add ${a.to}, write both columns and backfill, switch reads in a release, then drop ${a.from} in a later migration`,
    }]);
  },
};
