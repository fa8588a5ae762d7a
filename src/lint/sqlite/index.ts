import { peerMissing, isMissingPackage } from "../../drivers/peer-dependency.js";
import type { LintDialect } from "../rule.js";
import { analyseSqlite } from "./analyse.js";
import { checkSqliteSyntax, type Preparer } from "./syntax.js";

/**
 * SQLite: facts from the splitter's tokens, syntax from SQLite's own parser (better-sqlite3,
 * the SQLite that runs the migrations), prepared in a throwaway in-memory database kept per thread.
 */
export async function loadSqliteLint(): Promise<LintDialect> {
  let Database: typeof import("better-sqlite3");
  try {
    Database = (await import("better-sqlite3")).default;
  } catch (error) {
    throw isMissingPackage(error, "better-sqlite3") ? peerMissing("better-sqlite3", "SQLite databases (lint reads SQLite's syntax with it)", error) : error;
  }
  const db: Preparer = new Database(":memory:");
  return {
    analyse: analyseSqlite,
    checkSyntax: (statements) => checkSqliteSyntax(db, statements),
    advice: {
      "add-not-null-column": {
        message: "adding a NOT NULL column without a default fails on a table that has rows (Cannot add a NOT NULL column with default value NULL)",
        fix: "give the column a DEFAULT, or add it nullable",
      },
    },
  };
}
