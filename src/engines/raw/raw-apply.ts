import { StagecraftError } from "../../errors.js";
import { inTransaction, isUniqueViolation, type Driver } from "../../drivers/driver.js";
import type { MigrationProgress, RunOptions, RunResult } from "../../registry/engine.js";
import { checkScripts, executeScript, nonAtomicFailure, ScriptError, unwrapScriptError } from "../shared/execute-script.js";
import type { RawConfig } from "./config.js";
import type { HistoryRow, RawHistory } from "./raw-history.js";
import { compareIds } from "./raw-order.js";
import type { RawMigrationFile } from "./raw-source.js";
import type { RawState } from "./raw-state.js";

/**
 * Applies `todo` (pending files in apply order), each with its row, or all in one transaction.
 * Every row written is pushed to `written`, so the caller builds the plan after the run
 * without reading the table again.
 *
 * Exactly once: the run holds the database's migration lock and read the table under it, so no
 * other stagecraft run can apply these files meanwhile. A runner that does not hold that lock
 * (another path to the same SQLite file) is still caught without a read per migration: a
 * migration commits only with its row, whose primary key refuses a second copy, and a
 * migration that fails is looked up once — if its row appeared meanwhile, it was applied
 * elsewhere and is skipped, as the per-migration re-check used to do.
 */
export async function up(driver: Driver, history: RawHistory, state: RawState, todo: RawMigrationFile[], config: RawConfig, opts: RunOptions, written: HistoryRow[] = []): Promise<RunResult> {
  if (!config.allow_out_of_order) {
    const newest = [...state.rows.keys()].sort(compareIds).at(-1);
    const late = newest === undefined ? [] : todo.filter((file) => compareIds(file.id, newest) < 0);
    if (late.length > 0) {
      throw new StagecraftError("invalid_config", `pending migration${late.length > 1 ? "s" : ""} ${late.map((f) => f.id).join(", ")} sort${late.length > 1 ? "" : "s"} before the newest applied migration ${newest}`, {
        migration: late[0]!.id,
        hint: "renumber the file so it sorts last, or set allow_out_of_order: true",
      });
    }
  }
  await checkScripts(driver, todo.map((file) => ({ migration: file.id, file: file.file, script: file.script })));
  const applied: string[] = [];
  if (config.transaction_mode === "all" && todo.length > 0) {
    if (!driver.transactionalDdl) throw new StagecraftError("unsupported", `transaction_mode: all needs transactional DDL, which ${driver.dialect} does not have`, { hint: "use transaction_mode: per-migration" });
    const optOut = todo.find((file) => file.noTransaction);
    if (optOut) throw new StagecraftError("unsupported", `${optOut.file} opts out of transactions, which transaction_mode: all cannot honour`, { migration: optOut.id, file: optOut.file });
    // Nothing counts as applied until the one transaction commits: hold back the events.
    const held: MigrationProgress[] = [];
    const holding = { ...opts, onProgress: (event: MigrationProgress) => (event.type === "migration:applied" ? held.push(event) : opts.onProgress?.(event)) };
    const rows: HistoryRow[] = [];
    let cancelled = false;
    await inTransaction(driver, async () => {
      for (const file of todo) {
        // Stopping between migrations commits what ran so far: that is what "finish the running migration" means here.
        if (opts.signal.aborted) {
          cancelled = true;
          break;
        }
        // One transaction for the whole run: a row read here costs one query per migration, and
        // keeps a runner without the lock from failing the whole run on a migration applied elsewhere.
        if (await history.find(file.id)) continue;
        rows.push(await applyInTransaction(driver, history, file, holding, false));
        applied.push(file.id);
      }
    });
    written.push(...rows);
    for (const event of held) opts.onProgress?.(event);
    return cancelled ? { applied, cancelled } : { applied };
  }
  for (const file of todo) {
    if (opts.signal.aborted) return { applied, cancelled: true };
    const row = driver.transactionalDdl && !file.noTransaction ? await applyAtomic(driver, history, file, opts) : await applyRecorded(driver, history, file, opts);
    if (row) {
      written.push(row);
      applied.push(file.id);
    }
  }
  return { applied };
}

/** One migration and its row in one transaction, committed with the row. Undefined: another runner applied it. */
async function applyAtomic(driver: Driver, history: RawHistory, file: RawMigrationFile, opts: RunOptions): Promise<HistoryRow | undefined> {
  await driver.begin();
  try {
    return await applyInTransaction(driver, history, file, opts, true);
  } catch (error) {
    await driver.rollback().catch(() => undefined);
    if (isUniqueViolation(error) || ((await history.find(file.id).catch(() => undefined)) !== undefined)) return undefined;
    throw error;
  }
}

/** Runs one file inside the open transaction and writes its row (committing with it when `commit`). */
async function applyInTransaction(driver: Driver, history: RawHistory, file: RawMigrationFile, opts: RunOptions, commit: boolean): Promise<HistoryRow> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  opts.onProgress?.({ type: "migration:start", migration: file.id });
  await executeScript(driver, { migration: file.id, file: file.file, script: file.script }, { inTransaction: true }).catch(unwrapScriptError);
  const executionMs = Math.round(performance.now() - started);
  const row = await history.insertFinished(file.id, file.checksum, startedAt, executionMs, { commit });
  opts.onProgress?.({ type: "migration:applied", migration: file.id, durationMs: executionMs });
  return row;
}

/** Runs one file outside a transaction: its row is claimed first and finished after. Undefined: another runner claimed it. */
async function applyRecorded(driver: Driver, history: RawHistory, file: RawMigrationFile, opts: RunOptions): Promise<HistoryRow | undefined> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  if (!(await history.claim(file.id, file.checksum, startedAt))) return undefined;
  opts.onProgress?.({ type: "migration:start", migration: file.id });
  try {
    await executeScript(driver, { migration: file.id, file: file.file, script: file.script }, { inTransaction: false });
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    await history.markUnfinished(file.id, error.failure.error.message).catch(() => undefined);
    throw nonAtomicFailure(error, opts.database);
  }
  const executionMs = Math.round(performance.now() - started);
  const finishedAt = await history.markFinished(file.id, executionMs);
  opts.onProgress?.({ type: "migration:applied", migration: file.id, durationMs: executionMs });
  return { id: file.id, checksum: file.checksum, startedAt, finishedAt, executionMs, error: null };
}
