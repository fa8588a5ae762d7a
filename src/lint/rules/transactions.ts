import type { Rule } from "../rule.js";

const NO_TRANSACTION = "`-- stagecraft:no-transaction`";

/** A statement PostgreSQL or SQLite refuses inside a transaction block, in a migration that runs in one. */
export const requiresNoTransaction: Rule = {
  id: "requires-no-transaction",
  severity: "error",
  dialects: ["postgres", "sqlite"],
  summary: "a statement that cannot run inside a transaction, in a migration that runs in one",
  check(statement, ctx) {
    const what = statement.facts.needsNoTransaction;
    if (what === undefined || ctx.source.transaction === "none") return undefined;
    if (ctx.source.transaction === "run") {
      return {
        message: `${what} cannot run inside a transaction block, and transaction_mode: all runs every migration of the run in one`,
        fix: `use transaction_mode: per-migration and put ${what} in a migration of its own that starts with ${NO_TRANSACTION}`,
      };
    }
    return {
      message: `${what} cannot run inside a transaction block, and this migration runs in one (with its bookkeeping row)`,
      fix: `start the file with ${NO_TRANSACTION} and keep ${what} in a migration of its own (outside a transaction, a failure leaves the statements before it applied)`,
    };
  },
};

/** BEGIN/COMMIT/ROLLBACK inside a migration that stagecraft already runs in a transaction. */
export const transactionControl: Rule = {
  id: "transaction-control",
  severity: "error",
  dialects: ["postgres", "sqlite"],
  summary: "BEGIN, COMMIT or ROLLBACK inside a migration that runs in a transaction",
  check(statement, ctx) {
    const what = statement.facts.transactionControl;
    if (what === undefined || ctx.source.transaction === "none") return undefined;
    return {
      message: `${what} inside a migration that stagecraft runs in a transaction: it ends (or nests) that transaction, so the migration and its bookkeeping row no longer commit together`,
      fix: `remove ${what}: the migration already runs in a transaction; to control transactions yourself, start the file with ${NO_TRANSACTION}`,
    };
  },
};
