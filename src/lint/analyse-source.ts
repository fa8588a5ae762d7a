import type { SqlSource } from "../registry/sql-sources.js";
import { splitStatements } from "../sql/split-statements.js";
import { SqlSyntaxError, type SqlDialect, type SqlStatement } from "../sql/statement.js";
import { TextPositions } from "../sql/text-position.js";
import { readDirectives, type Directives } from "./directives.js";
import type { AnalysedStatement, LintDialect, SyntaxProblem } from "./rule.js";

/** One migration read for lint: its statements with their facts, syntax problems and suppression comments. */
export interface AnalysedMigration {
  source: SqlSource;
  /** The script as split: a byte-order mark replaced by a space, so offsets stay where they were. */
  text: string;
  statements: AnalysedStatement[];
  syntax: SyntaxProblem[];
  directives: Directives;
  positions: TextPositions;
}

/**
 * Splits a migration the way its engine sends it (drizzle's breakpoint chunks one by one) with
 * the dialect's grammar, and analyses each statement. A part PostgreSQL's parser rejects yields
 * one syntax problem and no statements: the parser reads a part whole or not at all.
 */
export async function analyseSource(source: SqlSource, grammar: SqlDialect, dialect: LintDialect): Promise<AnalysedMigration> {
  const text = source.script.charCodeAt(0) === 0xfeff ? ` ${source.script.slice(1)}` : source.script;
  const parts = source.chunks ?? [{ start: 0, end: text.length }];
  const statements: SqlStatement[] = [];
  const syntax: SyntaxProblem[] = [];
  for (const part of parts) {
    try {
      statements.push(...(await splitStatements(text, grammar, part)));
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      syntax.push({ offset: error.offset, message: error.message, refusedByEngine: true });
    }
  }
  const analysed = statements.map((statement, index) => ({ ...statement, index, facts: dialect.analyse(statement) }));
  syntax.push(...(dialect.checkSyntax?.(analysed) ?? []));
  return { source, text, statements: analysed, syntax, directives: readDirectives(text, statements), positions: new TextPositions(text) };
}
