import type { LintDialect } from "../rule.js";
import { analysePostgres } from "./analyse.js";
import { stringConstants } from "./nodes.js";

/** PostgreSQL: every fact comes from the server's own parse tree. */
export const postgresLint: LintDialect = {
  analyse: analysePostgres,
  strings: (statement) => stringConstants(statement.node),
  advice: {
    "add-not-null-column": {
      message: "adding a NOT NULL column without a default fails on a table that has rows (column … contains null values)",
      fix: "add it with a DEFAULT (PostgreSQL 11+ fills a constant default without rewriting the table), or add it nullable, backfill it, then set NOT NULL",
    },
    "truncate": {
      message: "TRUNCATE deletes every row and takes an ACCESS EXCLUSIVE lock",
      fix: "make sure no release still needs the rows; delete in batches if the table is busy",
    },
  },
};
