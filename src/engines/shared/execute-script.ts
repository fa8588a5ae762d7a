import { StagecraftError } from "../../errors.js";
import { SqlError, type Driver } from "../../drivers/driver.js";
import { splitSql, type Statement } from "../../drivers/split-sql.js";

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
  return executeStatements(driver, splitSql(script, driver.syntax), where);
}

/** Same as {@link executeScript} for statements an engine split itself. */
export async function executeStatements(driver: Driver, statements: readonly Statement[], where: { migration: string; file: string }): Promise<number> {
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

/** Rethrows a script failure as its `migration_failed` error (for transactional paths, where nothing stays). */
export function unwrapScriptError(error: unknown): never {
  throw error instanceof ScriptError ? error.failure.error : error;
}

/**
 * The error for a migration that failed outside a transaction: what had run and stays, that
 * the attempt is recorded and blocks, and how to resolve it.
 */
export function nonAtomicFailure(error: ScriptError, database: string): StagecraftError {
  const { completed, total, error: failure } = error.failure;
  const migration = failure.context.migration ?? "";
  const partial = completed === 0 ? "no statement of it had run" : `statements 1–${completed} of ${total} had run and stay applied`;
  return new StagecraftError("migration_failed", `${failure.message} (${partial}; the migration is recorded as failed and blocks later runs)`, {
    ...failure.context,
    hint: `fix the database by hand, then run \`stagecraft migrate resolve --database ${database} --rolled-back ${migration}\` to retry it, or \`--applied ${migration}\` if it is complete`,
  });
}
