/**
 * Tokens of MySQL/MariaDB and SQLite scripts, enough to find statement boundaries: words,
 * quoted strings and identifiers, punctuation, and MySQL executable-comment markers. Comments
 * and whitespace are skipped, never tokens, except executable comments, whose content is SQL.
 */

export type TokenKind = "word" | "string" | "quoted" | "punct" | "executable-open" | "executable-close";

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Upper-cased text of a word; the character of a punctuation token (`:=` is one). */
  value: string;
}

export interface ScannerRules {
  /** `\'` escapes a quote inside `'…'` and `"…"` (MySQL). */
  backslashEscapes: boolean;
  /** `# comment` (MySQL). */
  hashComments: boolean;
  /** `--` starts a comment only when followed by whitespace, a control character or the end (MySQL). */
  dashCommentNeedsSpace: boolean;
  /** `/*! … *\/`, `/*!50003 … *\/` and MariaDB `/*M!100100 … *\/` hold SQL for the server (MySQL). */
  executableComments: boolean;
  /** `"…"` is a string literal (MySQL without ANSI_QUOTES), not an identifier. */
  doubleQuoteStrings: boolean;
  /** `[name]` quotes an identifier (SQLite). */
  bracketIdentifiers: boolean;
}

/** Letters, digits, `_`, `$` and anything beyond ASCII: the characters of an unquoted name or keyword. */
function isWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36 || code >= 128;
}

export class SqlScanner {
  pos = 0;
  /** A word stops before this text (a mysql-client `DELIMITER` such as `$$` may follow a word directly). */
  stopAt = "";
  #inExecutable = false;

  constructor(
    readonly text: string,
    readonly rules: ScannerRules,
  ) {}

  /** Skips whitespace and comments; an executable comment's opening is a token and stays. */
  skipTrivia(): void {
    const { text, rules } = this;
    for (;;) {
      const c = text[this.pos];
      if (c === undefined) return;
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v" || c === "\uFEFF") {
        this.pos++;
      } else if (c === "-" && text[this.pos + 1] === "-" && (!rules.dashCommentNeedsSpace || /^(?:[\x00-\x20]|$)/.test(text.charAt(this.pos + 2)))) {
        this.#toLineEnd();
      } else if (c === "#" && rules.hashComments) {
        this.#toLineEnd();
      } else if (c === "/" && text[this.pos + 1] === "*" && !(rules.executableComments && /^\/\*M?!/.test(text.slice(this.pos, this.pos + 4)))) {
        const close = text.indexOf("*/", this.pos + 2);
        this.pos = close < 0 ? text.length : close + 2;
      } else {
        return;
      }
    }
  }

  /** The token at `pos` (call {@link skipTrivia} first), or undefined at the end of the text. */
  next(): Token | undefined {
    const { text, rules } = this;
    const start = this.pos;
    const c = text[start];
    if (c === undefined) return undefined;
    if (rules.executableComments && c === "/" && text[start + 1] === "*") {
      const marker = /^\/\*M?!\d*/.exec(text.slice(start, start + 12))![0];
      this.pos = start + marker.length;
      this.#inExecutable = true;
      return { kind: "executable-open", start, end: this.pos, value: marker };
    }
    if (this.#inExecutable && c === "*" && text[start + 1] === "/") {
      this.pos = start + 2;
      this.#inExecutable = false;
      return { kind: "executable-close", start, end: this.pos, value: "*/" };
    }
    if (c === "'" || (c === '"' && rules.doubleQuoteStrings)) return this.#quoted("string", c, rules.backslashEscapes);
    if (c === '"' || c === "`") return this.#quoted("quoted", c, false);
    if (c === "[" && rules.bracketIdentifiers) {
      const close = text.indexOf("]", start + 1);
      this.pos = close < 0 ? text.length : close + 1;
      return { kind: "quoted", start, end: this.pos, value: "[" };
    }
    if (isWordChar(text.charCodeAt(start))) {
      let end = start + 1;
      while (end < text.length && isWordChar(text.charCodeAt(end)) && !(this.stopAt !== "" && text.startsWith(this.stopAt, end))) end++;
      this.pos = end;
      return { kind: "word", start, end, value: text.slice(start, end).toUpperCase() };
    }
    const value = c === ":" && text[start + 1] === "=" ? ":=" : c;
    this.pos = start + value.length;
    return { kind: "punct", start, end: this.pos, value };
  }

  #toLineEnd(): void {
    const eol = this.text.indexOf("\n", this.pos);
    this.pos = eol < 0 ? this.text.length : eol;
  }

  /** A quoted string or identifier; doubled quotes (and backslash escapes where allowed) stay inside. */
  #quoted(kind: "string" | "quoted", quote: string, backslash: boolean): Token {
    const { text } = this;
    const start = this.pos;
    let k = start + 1;
    while (k < text.length) {
      const ch = text[k];
      if (backslash && ch === "\\") k += 2;
      else if (ch === quote && text[k + 1] === quote) k += 2;
      else if (ch === quote) break;
      else k++;
    }
    this.pos = Math.min(k + 1, text.length);
    return { kind, start, end: this.pos, value: quote };
  }
}

/** True when only spaces or tabs stand between the previous line break (or the start) and `index`. */
export function atLineStart(text: string, index: number): boolean {
  for (let k = index - 1; k >= 0; k--) {
    const c = text[k];
    if (c === "\n") return true;
    if (c !== " " && c !== "\t" && c !== "\r" && c !== "\uFEFF") return false;
  }
  return true;
}
