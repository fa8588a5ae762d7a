import type { RuleId, Severity } from "./rule-ids.js";

/** One problem lint found in a migration. Plain data: it travels in reports and JSON. */
export interface LintFinding {
  rule: RuleId;
  severity: Severity;
  /** The migration's ID as plans list it. */
  migration: string;
  /** Absolute path of the file. */
  file: string;
  /** 1-based line and column of the statement (of the offending token, for syntax errors). */
  line: number;
  column: number;
  /** The statement, whitespace collapsed, cut past {@link STATEMENT_CHARS} characters. */
  statement: string;
  /** What is wrong, in one line. */
  message: string;
  /** What to do instead. */
  fix: string;
}

/** How much of a statement a finding quotes. */
export const STATEMENT_CHARS = 200;

export function quoteStatement(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > STATEMENT_CHARS ? `${flat.slice(0, STATEMENT_CHARS - 1)}…` : flat;
}

/** Findings in a stable order: file, line, column, rule. */
export function compareFindings(a: LintFinding, b: LintFinding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

/** Migrations that fail a run when they all run in it, and the finding that says why (the run gate's input). */
export interface LintErrorSet {
  migrations: string[];
  finding: LintFinding;
}
