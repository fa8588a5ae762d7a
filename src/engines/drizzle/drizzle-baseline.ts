import { inTransaction } from "../../drivers/driver.js";
import { withDriver } from "../../drivers/open-driver.js";
import { baselineTargets } from "../../registry/baseline-targets.js";
import type { BaselineOptions, BaselineResult } from "../../registry/engine.js";
import { withLock } from "../shared/with-lock.js";
import { readDrizzleConfig } from "./settings.js";
import { lockedState, lockSpec, upgradeLegacy } from "./drizzle-engine.js";
import { planOf, readState } from "./drizzle-state.js";

/**
 * `migrate baseline --to ID` for drizzle-kit folders: the rows drizzle-orm's own migrator writes
 * (hash = sha256 of the file, created_at = the journal's `when` or the folder's timestamp, and
 * on 1.0 folders the name), one per migration up to ID, in one transaction. drizzle-orm's
 * `migrate()` then applies only what comes after ID.
 */
export async function baseline(opts: BaselineOptions): Promise<BaselineResult> {
  const config = readDrizzleConfig(opts.config);
  return withDriver(opts, async (driver) => withLock(driver, lockSpec(config), opts, async () => {
    const state = await lockedState(driver, config, opts);
    const ids = new Set(baselineTargets(planOf(state), opts.to, opts.migrationPath, opts.database));
    if (state.blocked) throw state.blocked;
    if (ids.size === 0) return { marked: [], migrations: planOf(state), warnings: state.warnings };
    await upgradeLegacy(driver, state);
    const todo = state.migrations.filter((m) => ids.has(m.id));
    await inTransaction(driver, async () => {
      for (const m of todo) await state.table.insert(m.checksum, m.createdAt, m.id);
    });
    const after = await readState(driver, config, opts);
    return { marked: todo.map((m) => m.id), migrations: planOf(after), warnings: after.warnings };
  }));
}
