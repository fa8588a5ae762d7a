import type { Node } from "libpg-query";

/** The SQL grammars stagecraft reads: one splitter each. */
export type SqlDialect = "sqlite" | "postgres" | "mysql";

/** A span of a script: string indexes, `end` exclusive. */
export interface TextRange {
  start: number;
  end: number;
}

/**
 * One statement of a migration script, as the server will receive it.
 *
 * `text` runs from the statement's first token (a MySQL executable comment `/*!…*\/` counts as
 * one) to its last, without the terminating delimiter; comments between statements belong to
 * no statement. Offsets are string indexes into the script that was split.
 */
export interface SqlStatement extends TextRange {
  text: string;
  /** 1-based line of the first token. */
  line: number;
  /** 1-based column of the first token, in characters. */
  column: number;
  /** PostgreSQL only: the statement's node from PostgreSQL's own parser (libpg-query's `RawStmt.stmt`). */
  node?: Node;
}

/**
 * A script the dialect's grammar rejects before anything runs (PostgreSQL: the server's own
 * parser). `offset`, `line` and `column` point at the offending token.
 */
export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "SqlSyntaxError";
  }
}
