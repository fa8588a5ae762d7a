import type { Dialect, SqlSyntax } from "./driver.js";

/** What a dialect's driver does, known without connecting (see {@link Driver}). */
export interface DialectTraits {
  /** DDL is rolled back with its transaction: a migration can run in one. */
  transactionalDdl: boolean;
  syntax: SqlSyntax;
}

/**
 * Each driver's capability flags, for code that reads migrations offline (`sources`, lint).
 * The drivers carry the same flags; a test holds them equal.
 */
export const DIALECT_TRAITS: Readonly<Record<Dialect, DialectTraits>> = {
  sqlite: { transactionalDdl: true, syntax: { grammar: "sqlite", multiStatementExec: false } },
  postgres: { transactionalDdl: true, syntax: { grammar: "postgres", multiStatementExec: true } },
  mysql: { transactionalDdl: false, syntax: { grammar: "mysql", multiStatementExec: false } },
};
