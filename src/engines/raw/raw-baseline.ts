import { inTransaction } from "../../drivers/driver.js";
import { baselineTargets } from "../../registry/baseline-targets.js";
import type { BaselineOptions, BaselineResult } from "../../registry/engine.js";
import { readRawConfig } from "./settings.js";
import { withLockedHistory } from "./raw-engine.js";
import { rawSourceOf } from "./raw-source.js";
import { planOf, readState } from "./raw-state.js";

/**
 * `migrate baseline --to ID` for raw SQL folders: one finished row per migration up to ID, with
 * the file's checksum (so later runs verify the files as if they had run), all in one
 * transaction under the migration lock: a database is either baselined or untouched.
 */
export async function baseline(opts: BaselineOptions): Promise<BaselineResult> {
  const config = readRawConfig(opts.config);
  // A folder that cannot be read fails before the bookkeeping table is created.
  const source = rawSourceOf(opts);
  return withLockedHistory(opts, config, async (driver, history) => {
    const state = await readState(driver, config, opts, source);
    const ids = new Set(baselineTargets(planOf(state), opts.to, opts.migrationPath, opts.database));
    // A changed or missing file is drift: recording more history on top of it would hide it.
    if (state.blocked) throw state.blocked;
    if (ids.size === 0) return { marked: [], migrations: planOf(state), warnings: state.warnings };
    const files = state.files.filter((f) => ids.has(f.id));
    const now = new Date().toISOString();
    await inTransaction(driver, async () => {
      for (const file of files) await history.insertFinished(file.id, file.checksum, now, 0);
    });
    const rows = new Map((await history.read()).map((row) => [row.id, row]));
    return { marked: files.map((f) => f.id), migrations: planOf({ files: state.files, rows }), warnings: state.warnings };
  });
}
