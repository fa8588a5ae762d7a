import { SqlScanner, type ScannerRules, type Token } from "../sql/scanner.js";
import type { SqlStatement } from "../sql/statement.js";

/**
 * A statement's tokens, read with its splitter's own scanner rules: comments are skipped and
 * strings and quoted names are single tokens, so nothing inside them is ever taken for a
 * keyword. MySQL executable-comment markers (`/*!50003`, `*\/`) are dropped: their content is SQL.
 */
export class Tokens {
  readonly list: Token[] = [];

  constructor(readonly text: string, rules: ScannerRules) {
    const scanner = new SqlScanner(text, rules);
    for (;;) {
      scanner.skipTrivia();
      const token = scanner.next();
      if (token === undefined) break;
      if (token.kind !== "executable-open" && token.kind !== "executable-close") this.list.push(token);
    }
  }

  static of(statement: SqlStatement, rules: ScannerRules): Tokens {
    return new Tokens(statement.text, rules);
  }

  get length(): number {
    return this.list.length;
  }

  /** The upper-cased word at `i`, or undefined for anything else (a string, a quoted name, punctuation). */
  word(i: number): string | undefined {
    const token = this.list[i];
    return token?.kind === "word" ? token.value : undefined;
  }

  is(i: number, ...words: string[]): boolean {
    const word = this.word(i);
    return word !== undefined && words.includes(word);
  }

  punct(i: number, value: string): boolean {
    const token = this.list[i];
    return token?.kind === "punct" && token.value === value;
  }

  /** The name at `i` (a word or a quoted identifier), lower-cased: MySQL and SQLite compare names without case. */
  name(i: number): string | undefined {
    const token = this.list[i];
    if (token === undefined) return undefined;
    if (token.kind === "word") return token.value.toLowerCase();
    if (token.kind !== "quoted" && token.kind !== "string") return undefined;
    const raw = this.text.slice(token.start, token.end);
    const open = raw[0]!;
    const close = open === "[" ? "]" : open;
    const inner = raw.endsWith(close) && raw.length > 1 ? raw.slice(1, -1) : raw.slice(1);
    return inner.split(close + close).join(close).toLowerCase();
  }

  /** `[schema.]name` at `i`: the name (without its schema) and the index after it. */
  qualifiedName(i: number): { name: string; next: number } | undefined {
    const first = this.name(i);
    if (first === undefined) return undefined;
    if (this.punct(i + 1, ".")) {
      const second = this.name(i + 2);
      if (second !== undefined) return { name: second, next: i + 3 };
    }
    return { name: first, next: i + 1 };
  }

  /** Index after `IF [NOT] EXISTS` at `i`, or `i`. */
  skipIfExists(i: number): number {
    if (this.is(i, "IF") && this.is(i + 1, "NOT") && this.is(i + 2, "EXISTS")) return i + 3;
    if (this.is(i, "IF") && this.is(i + 1, "EXISTS")) return i + 2;
    return i;
  }

  /** `[from, to)` ranges between commas outside parentheses. */
  splitTopLevel(from: number, to = this.list.length): [number, number][] {
    const parts: [number, number][] = [];
    let depth = 0;
    let start = from;
    for (let i = from; i < to; i++) {
      if (this.punct(i, "(")) depth++;
      else if (this.punct(i, ")")) depth--;
      else if (depth === 0 && this.punct(i, ",")) {
        parts.push([start, i]);
        start = i + 1;
      }
    }
    if (start < to) parts.push([start, to]);
    return parts;
  }

  /** The index of the first of `words` at parenthesis depth 0 in `[from, to)`, or -1. */
  find(from: number, to: number, ...words: string[]): number {
    let depth = 0;
    for (let i = from; i < to; i++) {
      if (this.punct(i, "(")) depth++;
      else if (this.punct(i, ")")) depth--;
      else if (depth === 0 && this.is(i, ...words)) return i;
    }
    return -1;
  }

  /** Index of the `)` closing the `(` at `open`, or the end. */
  closing(open: number): number {
    let depth = 0;
    for (let i = open; i < this.list.length; i++) {
      if (this.punct(i, "(")) depth++;
      else if (this.punct(i, ")") && --depth === 0) return i;
    }
    return this.list.length;
  }

  /** The source text of tokens `[from, to)`. */
  slice(from: number, to: number): string {
    const first = this.list[from];
    const last = this.list[to - 1];
    return first === undefined || last === undefined || to <= from ? "" : this.text.slice(first.start, last.end);
  }

  /** Offset in the statement's text of token `i` (the end of the text past the last token). */
  offset(i: number): number {
    return this.list[i]?.start ?? this.text.length;
  }
}
