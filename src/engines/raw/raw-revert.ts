import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import { inTransaction, type Driver } from "../../drivers/driver.js";
import type { RunOptions, RunResult } from "../../registry/engine.js";
import { hasNoTransactionDirective } from "../shared/directives.js";
import { executeScript, ScriptError, unwrapScriptError } from "../shared/execute-script.js";
import { readSourceFile } from "../shared/source-cache.js";
import type { HistoryRow, RawHistory } from "./raw-history.js";
import type { RawState } from "./raw-state.js";

/** The error when some of the migrations to revert have no down file: nothing is reverted then. */
export function missingDownFiles(targets: readonly HistoryRow[], state: RawState, dir: string): StagecraftError | undefined {
  const files = new Map(state.files.map((file) => [file.id, file]));
  const missing = targets.filter((row) => files.get(row.id)?.downFile === undefined);
  if (missing.length === 0) return undefined;
  return new StagecraftError("unsupported", `cannot revert ${missing.map((r) => r.id).join(", ")}: no ${missing.map((r) => `${r.id}.down.sql`).join(", ")} in ${dir}; nothing was reverted`, {
    migration: missing[0]!.id,
    hint: "add the down file(s), or revert fewer steps",
  });
}

/** Reverts `targets` (newest applied first), each with its row deletion in one transaction where possible. */
export async function down(driver: Driver, history: RawHistory, state: RawState, targets: HistoryRow[], opts: RunOptions): Promise<RunResult> {
  const missing = missingDownFiles(targets, state, opts.migrationPath);
  if (missing) throw missing;
  const files = new Map(state.files.map((file) => [file.id, file]));
  const reverted: string[] = [];
  for (const row of targets) {
    if (opts.signal.aborted) return { applied: reverted, cancelled: true };
    const file = files.get(row.id)!;
    const downFile = file.downFile!;
    const script = readSourceFile(join(opts.migrationPath, downFile));
    const where = { migration: row.id, file: join(opts.migrationPath, downFile) };
    opts.onProgress?.({ type: "migration:start", migration: row.id });
    const started = performance.now();
    if (driver.transactionalDdl && !file.noTransaction && !hasNoTransactionDirective(script)) {
      await inTransaction(driver, async () => {
        await executeScript(driver, { ...where, script }, { inTransaction: true }).catch(unwrapScriptError);
        await history.delete(row.id);
      });
    } else {
      await history.markUnfinished(row.id, `revert with ${downFile} started and did not finish`);
      try {
        await executeScript(driver, { ...where, script }, { inTransaction: false });
      } catch (error) {
        const failure = error instanceof ScriptError ? error.failure.error : error;
        await history.markUnfinished(row.id, `revert with ${downFile} failed: ${(failure as Error).message}`).catch(() => undefined);
        throw failure;
      }
      await history.delete(row.id);
    }
    opts.onProgress?.({ type: "migration:applied", migration: row.id, durationMs: Math.round(performance.now() - started) });
    reverted.push(row.id);
  }
  return { applied: reverted };
}
