import { CompoundTracker } from "./mysql-compound.js";
import { atLineStart, SqlScanner, type ScannerRules } from "./scanner.js";
import type { TextRange } from "./statement.js";

export const MYSQL_RULES: ScannerRules = {
  backslashEscapes: true,
  hashComments: true,
  dashCommentNeedsSpace: true,
  executableComments: true,
  doubleQuoteStrings: true,
  bracketIdentifiers: false,
};

/** `DELIMITER xx` as the mysql client reads it: at a line start, between statements. */
const DELIMITER_LINE = /^delimiter[ \t]+(\S+)[^\n]*/i;

/**
 * Splits a MySQL/MariaDB script into statements as the server reads a multi-statement text:
 * `;` ends a statement unless it stands inside a compound body (see {@link CompoundTracker}),
 * a string, a backtick name or a comment. Executable comments `/*! … *\/` are SQL and stay in
 * their statement. mysql-client `DELIMITER //` lines are honoured too: between two custom
 * delimiters everything is one statement, sent as written, exactly as the client sends it.
 */
export function splitMysql(text: string): TextRange[] {
  const ranges: TextRange[] = [];
  const scanner = new SqlScanner(text, MYSQL_RULES);
  let delimiter = ";";
  let start = -1;
  let end = -1;
  let tracker = new CompoundTracker();
  const finish = (): void => {
    if (start >= 0) ranges.push({ start, end });
    start = -1;
    tracker = new CompoundTracker();
  };
  for (;;) {
    scanner.skipTrivia();
    const at = scanner.pos;
    if (at >= text.length) break;
    if (start < 0 && atLineStart(text, at)) {
      const eol = text.indexOf("\n", at);
      const directive = DELIMITER_LINE.exec(text.slice(at, eol < 0 ? text.length : eol));
      if (directive) {
        delimiter = directive[1]!;
        scanner.stopAt = delimiter === ";" ? "" : delimiter;
        scanner.pos = at + directive[0].length;
        continue;
      }
    }
    if (text.startsWith(delimiter, at) && (delimiter !== ";" || !tracker.open)) {
      finish();
      scanner.pos = at + delimiter.length;
      continue;
    }
    const token = scanner.next()!;
    if (start < 0) start = token.start;
    end = token.end;
    if (delimiter === ";") tracker.feed(token);
  }
  finish();
  return ranges;
}
