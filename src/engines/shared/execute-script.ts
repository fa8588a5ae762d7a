import { StagecraftError } from "../../errors.js";
import { SqlError, type Driver } from "../../drivers/driver.js";
import { splitSql } from "../../drivers/split-sql.js";

export interface ScriptFailure {
  /** Statements that ran before the failing one (they stay applied where DDL is not transactional). */
  completed: number;
  total: number;
  error: StagecraftError;
}

/**
 * Runs a migration script statement by statement, so a failure can name the line in the file.
 * On failure throws a {@link ScriptError}: a `migration_failed` error with `file`, `line` and
 * the server's code, plus how many statements had already run.
 */
export async function executeScript(driver: Driver, script: string, where: { migration: string; file: string }): Promise<number> {
  const statements = splitSql(script, driver.syntax);
  for (const [index, statement] of statements.entries()) {
    try {
      await driver.exec(statement.text);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      const line = statement.line + (error.lineInStatement ?? 1) - 1;
      const failure: ScriptFailure = {
        completed: index,
        total: statements.length,
        error: new StagecraftError("migration_failed", `${where.file}:${line}: ${error.message}`, {
          migration: where.migration,
          file: where.file,
          line,
          ...(error.code === undefined ? {} : { driverCode: String(error.code) }),
        }),
      };
      throw new ScriptError(failure);
    }
  }
  return statements.length;
}

/** Carries a {@link ScriptFailure}; engines turn it into their own report. */
export class ScriptError extends Error {
  constructor(readonly failure: ScriptFailure) {
    super(failure.error.message);
    this.name = "ScriptError";
  }
}
