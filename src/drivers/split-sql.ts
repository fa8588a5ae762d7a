import type { SqlSyntax } from "./driver.js";

export interface Statement {
  /** The statement text without its terminating delimiter. */
  text: string;
  /** 1-based line in the script where the statement's first token stands. */
  line: number;
}

/**
 * Splits a migration script into statements on `;` (or the current mysql `DELIMITER`),
 * ignoring delimiters inside quotes, comments, PostgreSQL dollar quotes and SQLite trigger
 * bodies. Statements that hold only comments are dropped.
 */
export function splitSql(script: string, syntax: SqlSyntax): Statement[] {
  const statements: Statement[] = [];
  let delimiter = ";";
  let firstToken = -1;
  let line = 1;
  let firstTokenLine = 1;
  let blockDepth = 0;
  let words: string[] = [];
  let i = 0;
  const n = script.length;

  const finish = (end: number): void => {
    if (firstToken >= 0) {
      const text = script.slice(firstToken, end).trim();
      if (text !== "") statements.push({ text, line: firstTokenLine });
    }
    firstToken = -1;
    blockDepth = 0;
    words = [];
  };
  const mark = (): void => {
    if (firstToken < 0) {
      firstToken = i;
      firstTokenLine = line;
    }
  };
  const skipTo = (end: number): void => {
    for (let k = i; k < end && k < n; k++) if (script.charCodeAt(k) === 10) line++;
    i = Math.min(end, n);
  };

  while (i < n) {
    const ch = script[i]!;
    const next = script[i + 1];
    if (ch === "\n") {
      line++;
      i++;
      continue;
    }
    if (syntax.delimiterDirective && firstToken < 0 && atLineStart(script, i) && /^delimiter[ \t]/i.test(script.slice(i, i + 10))) {
      const eol = script.indexOf("\n", i);
      const end = eol < 0 ? n : eol;
      delimiter = script.slice(i + 10, end).trim() || ";";
      i = end;
      continue;
    }
    if (ch === "-" && next === "-") {
      const eol = script.indexOf("\n", i);
      i = eol < 0 ? n : eol;
      continue;
    }
    if (syntax.hashComments && ch === "#") {
      const eol = script.indexOf("\n", i);
      i = eol < 0 ? n : eol;
      continue;
    }
    if (ch === "/" && next === "*") {
      const close = script.indexOf("*/", i + 2);
      skipTo(close < 0 ? n : close + 2);
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") {
      mark();
      skipTo(closingQuote(script, i, ch, syntax.backslashEscapes && ch !== "`"));
      continue;
    }
    if (syntax.dollarQuotes && ch === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i, i + 64))?.[0];
      if (tag !== undefined) {
        mark();
        const close = script.indexOf(tag, i + tag.length);
        skipTo(close < 0 ? n : close + tag.length);
        continue;
      }
    }
    if (script.startsWith(delimiter, i) && blockDepth === 0) {
      finish(i);
      i += delimiter.length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      mark();
      let end = i + 1;
      while (end < n && /[A-Za-z0-9_]/.test(script[end]!)) end++;
      if (syntax.triggerBlocks) blockDepth = trackBlocks(script.slice(i, end).toUpperCase(), words, blockDepth);
      i = end;
      continue;
    }
    if (!/\s/.test(ch)) mark();
    i++;
  }
  finish(n);
  return statements;
}

/** SQLite trigger bodies: `;` ends a statement only outside BEGIN … END (CASE … END nests). */
function trackBlocks(word: string, words: string[], depth: number): number {
  if (words.length < 8) words.push(word);
  const isTrigger = words[0] === "CREATE" && words.slice(1, 5).includes("TRIGGER");
  if (!isTrigger) return depth;
  if (word === "BEGIN" || (word === "CASE" && depth > 0)) return depth + 1;
  if (word === "END" && depth > 0) return depth - 1;
  return depth;
}

function closingQuote(script: string, open: number, quote: string, backslash: boolean): number {
  let k = open + 1;
  while (k < script.length) {
    const c = script[k];
    if (backslash && c === "\\") {
      k += 2;
      continue;
    }
    if (c === quote) {
      if (script[k + 1] === quote) {
        k += 2;
        continue;
      }
      return k + 1;
    }
    k++;
  }
  return script.length;
}

function atLineStart(script: string, index: number): boolean {
  for (let k = index - 1; k >= 0; k--) {
    const c = script[k];
    if (c === "\n") return true;
    if (c !== " " && c !== "\t" && c !== "\r") return false;
  }
  return true;
}
