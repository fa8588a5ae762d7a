import { StagecraftError } from "../../errors.js";
import { SqlError, type Driver } from "../../drivers/driver.js";
import { splitStatements } from "../../sql/split-statements.js";
import { SqlSyntaxError, type SqlStatement, type TextRange } from "../../sql/statement.js";
import { TextPositions } from "../../sql/text-position.js";

/** A migration script and where it comes from, for messages. */
export interface ScriptSource {
  migration: string;
  /** Path of the file, as messages name it. */
  file: string;
  script: string;
  /**
   * Parts split and sent on their own (drizzle's `--> statement-breakpoint` chunks, which
   * drizzle sends one by one); default: the whole script is one part.
   */
  chunks?: readonly TextRange[];
}

export interface ExecuteOptions {
  /**
   * The caller holds a transaction around the script, so nothing of it stays when it fails
   * and it may go to the server whole (one round trip where the driver takes several
   * statements at once). Outside a transaction every statement is sent on its own, so a
   * failure knows what stays applied, and `CREATE INDEX CONCURRENTLY` runs as PostgreSQL requires.
   */
  inTransaction: boolean;
}

export interface ScriptFailure {
  /** Statements that ran before the failing one (they stay applied where DDL is not transactional). */
  completed: number;
  total: number;
  error: StagecraftError;
}

/** What goes to the server in one `exec`: a statement, a chunk or the whole script. */
interface Unit {
  text: string;
  start: number;
  statements: readonly SqlStatement[];
}

/** A failure that is not the server's verdict on the SQL (a lost connection, a full disk) keeps its kind and message and gains where it happened. */
function located(error: unknown, source: ScriptSource, line: number): unknown {
  if (!(error instanceof StagecraftError) || error.context.migration !== undefined) return error;
  return new StagecraftError(error.kind, error.message, { ...error.context, migration: source.migration, file: source.file, line }, { cause: error });
}

/**
 * Runs a migration script the way the dialect's server reads it (see docs/engines.md, "How each
 * engine executes a file"). On failure throws a {@link ScriptError}: a `migration_failed` error
 * naming file and line (from the server's error position, else the failing statement), plus
 * how many statements had already run. Returns the number of statements run.
 */
export async function executeScript(driver: Driver, source: ScriptSource, options: ExecuteOptions): Promise<number> {
  const text = withoutBom(source.script);
  const parts = await splitParts(driver, { ...source, script: text });
  const statements = parts.flatMap((part) => part.statements);
  const whole = options.inTransaction && driver.syntax.multiStatementExec;
  const units: Unit[] = whole ? parts.filter((part) => part.statements.length > 0) : statements.map((s) => ({ text: s.text, start: s.start, statements: [s] }));
  let done = 0;
  for (const unit of units) {
    try {
      await driver.exec(unit.text);
    } catch (error) {
      if (!(error instanceof SqlError)) throw located(error, source, unit.statements[0]!.line);
      const inUnit = Math.min(error.completed ?? 0, unit.statements.length - 1);
      const line = error.lineInStatement === undefined ? unit.statements[inUnit]!.line : new TextPositions(text).line(unit.start) + error.lineInStatement - 1;
      throw new ScriptError({
        completed: done + inUnit,
        total: statements.length,
        error: new StagecraftError("migration_failed", `${source.file}:${line}: ${error.message}`, {
          migration: source.migration,
          file: source.file,
          line,
          ...(error.code === undefined ? {} : { driverCode: String(error.code) }),
        }),
      });
    }
    done += unit.statements.length;
  }
  return statements.length;
}

/**
 * Splits every script with the dialect's grammar before anything runs, so a syntax error
 * (PostgreSQL's parser) stops the run with file:line:column while nothing is applied. The
 * splits are cached, so running the scripts afterwards does not parse them again.
 */
export async function checkScripts(driver: Driver, sources: readonly ScriptSource[]): Promise<void> {
  for (const source of sources) {
    try {
      await splitParts(driver, { ...source, script: withoutBom(source.script) });
    } catch (error) {
      throw error instanceof ScriptError ? new StagecraftError(error.failure.error.kind, `${error.failure.error.message} (nothing was run)`, { ...error.failure.error.context }) : error;
    }
  }
}

/** The script's parts (its chunks, or itself) with their statements; a syntax error becomes a {@link ScriptError}. */
async function splitParts(driver: Driver, source: ScriptSource): Promise<Unit[]> {
  const ranges = source.chunks ?? [{ start: 0, end: source.script.length }];
  try {
    return await Promise.all(ranges.map(async (range) => ({
      text: source.script.slice(range.start, range.end),
      start: range.start,
      statements: await splitStatements(source.script, driver.syntax.grammar, range),
    })));
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    throw new ScriptError({
      completed: 0,
      total: 0,
      error: new StagecraftError("migration_failed", `${source.file}:${error.line}:${error.column}: ${error.message}`, {
        migration: source.migration,
        file: source.file,
        line: error.line,
        hint: "fix the SQL; PostgreSQL's own parser rejected it before any statement ran",
      }),
    });
  }
}

/** A byte-order mark is no SQL; a space keeps every offset where it was. */
function withoutBom(script: string): string {
  return script.charCodeAt(0) === 0xfeff ? ` ${script.slice(1)}` : script;
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
