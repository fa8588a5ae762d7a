import { StagecraftError } from "../../errors.js";
import { inTransaction, type Driver } from "../../drivers/driver.js";
import type { MigrationProgress, RunOptions, RunResult } from "../../registry/engine.js";
import { checkScripts, executeScript, nonAtomicFailure, ScriptError } from "../shared/execute-script.js";
import type { RawConfig } from "./config.js";
import type { RawHistory } from "./raw-history.js";
import { compareIds } from "./raw-order.js";
import type { RawMigrationFile } from "./raw-source.js";
import type { RawState } from "./raw-state.js";

/** Applies `todo` (pending files in apply order), each with its row, or all in one transaction. */
export async function up(driver: Driver, history: RawHistory, state: RawState, todo: RawMigrationFile[], config: RawConfig, opts: RunOptions): Promise<RunResult> {
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
    let cancelled = false;
    await inTransaction(driver, async () => {
      for (const file of todo) {
        // Stopping between migrations commits what ran so far: that is what "finish the running migration" means here.
        if (opts.signal.aborted) {
          cancelled = true;
          break;
        }
        if (await history.find(file.id)) continue;
        await applyOne(driver, history, file, holding, false);
        applied.push(file.id);
      }
    });
    for (const event of held) opts.onProgress?.(event);
    return cancelled ? { applied, cancelled } : { applied };
  }
  for (const file of todo) {
    if (opts.signal.aborted) return { applied, cancelled: true };
    const atomic = driver.transactionalDdl && !file.noTransaction;
    const done = atomic
      ? await inTransaction(driver, async () => (await history.find(file.id)) === undefined && (await applyOne(driver, history, file, opts, false)))
      : await applyOne(driver, history, file, opts, true);
    if (done) applied.push(file.id);
  }
  return { applied };
}

/** Runs one file and writes its row. Non-atomic runs record the start first and the end after. */
async function applyOne(driver: Driver, history: RawHistory, file: RawMigrationFile, opts: RunOptions, recordFirst: boolean): Promise<boolean> {
  const where = { migration: file.id, file: file.file };
  const startedAt = new Date().toISOString();
  const started = performance.now();
  if (recordFirst) {
    const claimed = await inTransaction(driver, async () => {
      if (await history.find(file.id)) return false;
      await history.insertStarted(file.id, file.checksum, startedAt);
      return true;
    });
    if (!claimed) return false;
  }
  opts.onProgress?.({ type: "migration:start", migration: file.id });
  try {
    await executeScript(driver, { ...where, script: file.script }, { inTransaction: !recordFirst });
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    if (!recordFirst) throw error.failure.error;
    await history.markUnfinished(file.id, error.failure.error.message).catch(() => undefined);
    throw nonAtomicFailure(error, opts.database);
  }
  const executionMs = Math.round(performance.now() - started);
  if (recordFirst) await history.markFinished(file.id, executionMs);
  else await history.insertFinished(file.id, file.checksum, startedAt, executionMs);
  opts.onProgress?.({ type: "migration:applied", migration: file.id, durationMs: executionMs });
  return true;
}
