import type { Rule } from "../rule.js";
import type { RuleId, Severity } from "../rule-ids.js";
import { dropColumn, dropTable, renameColumn, renameTable, truncate } from "./destructive.js";
import { alterTableCopy, mixedDdlDml, sqliteNonconstantDefault, sqliteUnsupportedAlter } from "./dialect-specific.js";
import { addNotNullColumn, columnTypeChange, indexNotConcurrent, setNotNull, validatingConstraint } from "./locking.js";
import { requiresNoTransaction, transactionControl } from "./transactions.js";

/** Rules that read one statement at a time. */
export const STATEMENT_RULES: readonly Rule[] = [
  requiresNoTransaction, transactionControl, sqliteUnsupportedAlter,
  dropTable, dropColumn, truncate, renameTable, renameColumn,
  columnTypeChange, addNotNullColumn, setNotNull, indexNotConcurrent, validatingConstraint,
  mixedDdlDml, alterTableCopy, sqliteNonconstantDefault,
];

/** Rules found another way: while splitting, across a transaction, in suppression comments. */
export const OTHER_RULES: readonly Pick<Rule, "id" | "severity" | "dialects" | "summary">[] = [
  { id: "syntax-error", severity: "error", dialects: ["postgres", "sqlite"], summary: "SQL the dialect's own parser rejects" },
  { id: "new-enum-value-used", severity: "error", dialects: ["postgres"], summary: "a value added with ALTER TYPE … ADD VALUE used in the same transaction" },
  { id: "invalid-lint-ignore", severity: "warning", dialects: ["postgres", "mysql", "sqlite"], summary: "a lint-ignore comment without a known rule ID or a reason" },
];

/** Every rule's default severity. */
export const DEFAULT_SEVERITY: Readonly<Record<RuleId, Severity>> = Object.fromEntries(
  [...STATEMENT_RULES, ...OTHER_RULES].map((rule) => [rule.id, rule.severity]),
) as Record<RuleId, Severity>;
