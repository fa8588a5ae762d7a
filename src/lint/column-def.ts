import type { Tokens } from "./tokens.js";

/** What a column definition (`name type [constraints…]`) says, read from MySQL or SQLite tokens. */
export interface ColumnDef {
  column: string;
  /** The type as written, up to its first constraint. */
  type: string;
  notNull: boolean;
  /** A default (not `DEFAULT NULL`), auto-increment, SERIAL or a generated value fills existing rows. */
  filled: boolean;
  primaryKey: boolean;
  unique: boolean;
  /** `DEFAULT CURRENT_TIMESTAMP` / `DEFAULT (expr)`: a value computed per row. */
  computedDefault?: string;
  /** A generated column's storage as written: STORED, PERSISTENT, VIRTUAL (or "" for the default). */
  generated?: string;
}

const CONSTRAINT_START = new Set(["NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "KEY", "AUTO_INCREMENT", "AUTOINCREMENT", "GENERATED", "AS", "REFERENCES", "CHECK", "COLLATE", "COMMENT", "CONSTRAINT", "ON", "INVISIBLE", "VISIBLE", "COLUMN_FORMAT", "STORAGE", "FIRST", "AFTER", "SRID", "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE_ATTRIBUTE"]);
const CURRENT = new Set(["CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "NOW", "LOCALTIME", "LOCALTIMESTAMP"]);

/** Reads the column definition in tokens `[from, to)`; undefined when there is no name. */
export function readColumnDef(tokens: Tokens, from: number, to: number): ColumnDef | undefined {
  const column = tokens.name(from);
  if (column === undefined) return undefined;
  let i = from + 1;
  const typeStart = i;
  while (i < to && !CONSTRAINT_START.has(tokens.word(i) ?? "")) {
    i = tokens.punct(i, "(") ? tokens.closing(i) + 1 : i + 1;
  }
  const type = tokens.slice(typeStart, i);
  const def: ColumnDef = { column, type, notNull: false, filled: /^serial\b/i.test(type), primaryKey: false, unique: false };
  if (def.filled) def.notNull = true;
  for (; i < to; i++) {
    const word = tokens.word(i);
    if (tokens.punct(i, "(")) {
      i = tokens.closing(i);
      continue;
    }
    if (word === "NOT" && tokens.is(i + 1, "NULL")) {
      def.notNull = true;
      i++;
    } else if (word === "PRIMARY" && tokens.is(i + 1, "KEY")) {
      def.primaryKey = true;
      def.notNull = true;
      i++;
    } else if (word === "UNIQUE") {
      def.unique = true;
    } else if (word === "AUTO_INCREMENT" || word === "AUTOINCREMENT") {
      def.filled = true;
    } else if (word === "DEFAULT") {
      i = readDefault(tokens, i + 1, def);
    } else if (word === "AS" && tokens.punct(i + 1, "(")) {
      i = tokens.closing(i + 1);
      def.filled = true;
      const storage = tokens.word(i + 1);
      def.generated = storage === "STORED" || storage === "PERSISTENT" || storage === "VIRTUAL" ? storage : "";
    }
  }
  return def;
}

/** Reads a DEFAULT value starting at `i`; returns the index of its last token. */
function readDefault(tokens: Tokens, i: number, def: ColumnDef): number {
  if (tokens.is(i, "NULL")) return i;
  def.filled = true;
  if (tokens.punct(i, "(")) {
    const end = tokens.closing(i);
    def.computedDefault = `DEFAULT ${tokens.slice(i, end + 1)}`;
    return end;
  }
  if (tokens.punct(i, "-") || tokens.punct(i, "+")) return i + 1;
  const word = tokens.word(i);
  if (word !== undefined && CURRENT.has(word)) {
    def.computedDefault = `DEFAULT ${word}`;
    if (tokens.punct(i + 1, "(")) return tokens.closing(i + 1);
  }
  return i;
}
