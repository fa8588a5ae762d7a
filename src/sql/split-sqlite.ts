import { SqlScanner, type ScannerRules, type Token } from "./scanner.js";
import type { TextRange } from "./statement.js";

export const SQLITE_RULES: ScannerRules = {
  backslashEscapes: false,
  hashComments: false,
  dashCommentNeedsSpace: false,
  executableComments: false,
  doubleQuoteStrings: false,
  bracketIdentifiers: true,
};

/**
 * Splits a SQLite script into statements: `;` ends a statement, except inside the body of
 * `CREATE [TEMP] TRIGGER … BEGIN … END`, which ends at the `;` after `; END` — the rule of
 * SQLite's own `sqlite3_complete()`, which the sqlite3 shell uses to cut its input. SQLite's
 * grammar allows no other compound statement, so a `CASE … END` inside a trigger needs no
 * counting: its END never follows a `;`.
 */
export function splitSqlite(text: string): TextRange[] {
  const ranges: TextRange[] = [];
  const scanner = new SqlScanner(text, SQLITE_RULES);
  let start = -1;
  let end = -1;
  let lead: string[] = [];
  let prev: Token | undefined;
  let prev2: Token | undefined;
  for (;;) {
    scanner.skipTrivia();
    const token = scanner.next();
    if (token === undefined) break;
    if (token.value === ";" && token.kind === "punct") {
      const inTrigger = isTrigger(lead);
      const bodyDone = prev?.kind === "word" && prev.value === "END" && prev2?.value === ";";
      if (!inTrigger || bodyDone || start < 0) {
        if (start >= 0) ranges.push({ start, end });
        start = -1;
        lead = [];
        prev = prev2 = undefined;
        continue;
      }
    }
    if (start < 0) start = token.start;
    end = token.end;
    if (lead.length < 6) lead.push(token.kind === "word" ? token.value : token.value === ";" ? ";" : "");
    prev2 = prev;
    prev = token;
  }
  if (start >= 0) ranges.push({ start, end });
  return ranges;
}

/** `[EXPLAIN [QUERY PLAN]] CREATE [TEMP|TEMPORARY] TRIGGER`. */
function isTrigger(lead: readonly string[]): boolean {
  let i = 0;
  if (lead[i] === "EXPLAIN") i += lead[i + 1] === "QUERY" ? 3 : 1;
  if (lead[i] !== "CREATE") return false;
  i++;
  if (lead[i] === "TEMP" || lead[i] === "TEMPORARY") i++;
  return lead[i] === "TRIGGER";
}
