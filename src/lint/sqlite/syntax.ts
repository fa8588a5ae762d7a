import type { AnalysedStatement, SyntaxProblem } from "../rule.js";
import { SQLITE_RULES } from "../../sql/split-sqlite.js";
import { Tokens } from "../tokens.js";
import { describeAlter } from "./analyse.js";

/** The part of better-sqlite3 used here: prepare, never run. */
export interface Preparer {
  prepare(sql: string): unknown;
}

/** Messages of SQLite's tokenizer and parser, as opposed to name resolution ("no such table"). */
const SYNTAX = /syntax error|incomplete input|unrecognized token|unknown table option/;

/**
 * SQLite's own parser reads each statement: it is prepared (never run) in an empty in-memory
 * database. A missing table is expected there and ignored; what the grammar rejects is a
 * syntax problem, placed at the token SQLite stopped at (found by preparing ever longer
 * prefixes: a prefix that stops before that token is merely incomplete). An ALTER TABLE SQLite
 * rejects is an unsupported form, explained under its own rule.
 */
export function checkSqliteSyntax(db: Preparer, statements: readonly AnalysedStatement[]): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  for (const statement of statements) {
    const message = failure(db, statement.text);
    if (message === undefined || !SYNTAX.test(message)) continue;
    const offset = statement.start + errorOffset(db, statement.text);
    if (/^\s*ALTER\s+TABLE\b/i.test(statement.text)) {
      problems.push({
        offset, statement: statement.index, rule: "sqlite-unsupported-alter",
        message: `SQLite's ALTER TABLE does not support ${describeAlter(statement)} (${message})`,
        fix: "rebuild the table: CREATE TABLE new_t with the new shape, INSERT INTO new_t SELECT … FROM t, DROP TABLE t, ALTER TABLE new_t RENAME TO t (https://sqlite.org/lang_altertable.html#otheralter)",
      });
    } else {
      problems.push({ offset, statement: statement.index, message });
    }
  }
  return problems;
}

function failure(db: Preparer, sql: string): string | undefined {
  try {
    db.prepare(sql);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Offset in `text` of the token the parser stopped at: the end of the shortest prefix that already fails with a syntax error. */
function errorOffset(db: Preparer, text: string): number {
  const tokens = new Tokens(text, SQLITE_RULES).list;
  const fails = (count: number): boolean => {
    const message = failure(db, text.slice(0, tokens[count - 1]!.end));
    return message !== undefined && SYNTAX.test(message) && !/incomplete input/.test(message);
  };
  let low = 1;
  let high = tokens.length;
  if (high === 0 || !fails(high)) return 0;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (fails(mid)) high = mid;
    else low = mid + 1;
  }
  return tokens[low - 1]!.start;
}
