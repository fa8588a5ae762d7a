/**
 * Every lint rule, by ID. The list lives apart from the rules themselves so the config schema
 * can name them without loading any rule (or any parser).
 */
export const RULE_IDS = [
  "syntax-error",
  "requires-no-transaction",
  "transaction-control",
  "new-enum-value-used",
  "sqlite-unsupported-alter",
  "drop-table",
  "drop-column",
  "truncate",
  "rename-table",
  "rename-column",
  "column-type-change",
  "add-not-null-column",
  "set-not-null",
  "index-not-concurrent",
  "validating-constraint",
  "mixed-ddl-dml",
  "alter-table-copy",
  "sqlite-nonconstant-default",
  "invalid-lint-ignore",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** `error`: the migration cannot succeed as configured. `warning`: it runs, but hurts. */
export type Severity = "error" | "warning";

/** What the config may set a rule to. */
export const SEVERITY_SETTINGS = ["error", "warning", "off"] as const;
export type SeveritySetting = (typeof SEVERITY_SETTINGS)[number];

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}
