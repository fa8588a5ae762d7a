import type { Dialect } from "../drivers/driver.js";
import type { SqlSource } from "../registry/sql-sources.js";
import type { SqlStatement } from "../sql/statement.js";
import type { StatementFacts } from "./facts.js";
import type { SchemaHistory } from "./history.js";
import type { RuleId, Severity } from "./rule-ids.js";

/** A statement with what its dialect's analyser found in it. */
export interface AnalysedStatement extends SqlStatement {
  /** Position in its migration, from 0. */
  index: number;
  facts: StatementFacts;
}

/** What a rule says about one statement; the finding gets the statement's position unless given. */
export interface RuleHit {
  message: string;
  fix: string;
  line?: number;
  column?: number;
}

/** Dialect-specific wording of a rule's message and fix. */
export interface Advice {
  message: string;
  fix: string;
}

/** What a rule knows besides the statement: the migration around it and the schema before it. */
export interface RuleContext {
  dialect: Dialect;
  source: SqlSource;
  statements: readonly AnalysedStatement[];
  /** The table was created earlier in this migration (so it is new and empty when the statement runs). */
  createdBefore(table: string, index: number): boolean;
  /** A table created in this migration is renamed to `table` after `index` (SQLite's table rebuild). */
  replacedAfter(table: string, index: number): boolean;
  /** Column types and validated checks from the folder's earlier statements. */
  history: SchemaHistory;
  /** The dialect's wording for a rule, when it has its own. */
  advice(rule: RuleId): Advice | undefined;
}

export interface Rule {
  id: RuleId;
  severity: Severity;
  /** Dialects whose migrations the rule reads. */
  dialects: readonly Dialect[];
  /** One line: what the rule catches. */
  summary: string;
  check(statement: AnalysedStatement, ctx: RuleContext): RuleHit | RuleHit[] | undefined;
}

/** A syntax problem found before any rule runs, located in the whole script. */
export interface SyntaxProblem {
  offset: number;
  message: string;
  /** The statement it belongs to, when the dialect found statements (SQLite); PostgreSQL loses the whole part. */
  statement?: number;
  /** A more specific rule than `syntax-error` that explains it (`sqlite-unsupported-alter`). */
  rule?: RuleId;
  fix?: string;
  /**
   * The engines' own splitter raises it, so every engine refuses the run before anything runs
   * (PostgreSQL's parser); the run gate leaves it to them.
   */
  refusedByEngine?: boolean;
}

/**
 * What lint needs from a dialect: an analyser that turns a statement into {@link StatementFacts},
 * the dialect's wording of some rules, and checks only its grammar can make.
 */
export interface LintDialect {
  analyse(statement: SqlStatement): StatementFacts;
  /** Syntax errors the splitter does not raise (SQLite's parser reads each statement). */
  checkSyntax?(statements: readonly AnalysedStatement[]): SyntaxProblem[];
  /** String constants a statement uses (PostgreSQL), to find a new enum value used too early. */
  strings?(statement: SqlStatement): readonly string[];
  advice: Partial<Record<RuleId, Advice>>;
}
