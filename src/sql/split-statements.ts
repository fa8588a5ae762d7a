import { splitMysql } from "./split-mysql.js";
import { splitPostgres, type ParsedRange } from "./split-postgres.js";
import { splitSqlite } from "./split-sqlite.js";
import { SqlSyntaxError, type SqlDialect, type SqlStatement, type TextRange } from "./statement.js";
import { TextPositions } from "./text-position.js";

/** Splits of this many distinct texts are kept per thread: a fleet runs the same files on every database. */
export const SPLIT_CACHE_SIZE = 512;

const cache = new Map<string, Promise<readonly (TextRange & { node?: ParsedRange["node"] })[]>>();

/**
 * Splits a SQL script into the statements the server will run, with the dialect's own rules:
 * PostgreSQL's parser (libpg-query), MySQL/MariaDB compound bodies, executable comments and
 * `DELIMITER` lines, SQLite trigger bodies. Comments between statements are dropped; a script
 * of comments only has no statement.
 *
 * Splits are cached per thread ({@link SPLIT_CACHE_SIZE} texts), so PostgreSQL parse-tree
 * nodes are shared between calls: read them, never change them.
 *
 * `range` splits only that part of `text` (a drizzle `--> statement-breakpoint` chunk) while
 * offsets, lines and columns stay those of the whole text. Throws {@link SqlSyntaxError} where
 * the grammar rejects the text (PostgreSQL; the MySQL and SQLite splitters leave syntax to the
 * server).
 *
 * @example
 * const statements = await splitStatements("CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);", "postgres");
 * // [{ text: "CREATE TABLE t (id int)", line: 1, column: 1, start: 0, end: 23, node: { CreateStmt: … } }, { text: "INSERT …", line: 2, … }]
 */
export async function splitStatements(text: string, dialect: SqlDialect, range?: TextRange): Promise<SqlStatement[]> {
  const base = range?.start ?? 0;
  const part = range === undefined ? text : text.slice(range.start, range.end);
  const positions = new TextPositions(text);
  let ranges: Awaited<ReturnType<typeof splitCached>>;
  try {
    ranges = await splitCached(part, dialect);
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    const offset = base + error.offset;
    throw new SqlSyntaxError(error.message, offset, positions.line(offset), positions.column(offset));
  }
  return ranges.map(({ start, end, node }) => ({
    text: part.slice(start, end),
    start: base + start,
    end: base + end,
    line: positions.line(base + start),
    column: positions.column(base + start),
    ...(node === undefined ? {} : { node }),
  }));
}

function splitCached(text: string, dialect: SqlDialect): Promise<readonly (TextRange & { node?: ParsedRange["node"] })[]> {
  const key = `${dialect}\0${text}`;
  let split = cache.get(key);
  if (split === undefined) {
    split = dialect === "postgres" ? splitPostgres(text) : Promise.resolve(dialect === "mysql" ? splitMysql(text) : splitSqlite(text));
    if (cache.size >= SPLIT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, split);
    // A failed split is not kept: the next attempt reports afresh (and may load the parser).
    split.catch(() => cache.delete(key));
  }
  return split;
}
