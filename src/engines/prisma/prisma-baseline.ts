import { inTransaction } from "../../drivers/driver.js";
import { baselineTargets } from "../../registry/baseline-targets.js";
import type { BaselineOptions, BaselineResult } from "../../registry/engine.js";
import { readPrismaConfig } from "./settings.js";
import { withPrismaLock } from "./prisma-engine.js";
import { planOf, readState } from "./prisma-state.js";
import { PrismaTable } from "./prisma-table.js";

/**
 * `migrate baseline --to ID` for Prisma folders: for each migration up to ID the row
 * `prisma migrate resolve --applied` writes (checksum, started = finished, no steps), under
 * Prisma's own lock and in one transaction. `prisma migrate status` then reports only the
 * migrations after ID as not yet applied.
 */
export async function baseline(opts: BaselineOptions): Promise<BaselineResult> {
  const config = readPrismaConfig(opts.config);
  return withPrismaLock(opts, async (driver) => {
    const table = new PrismaTable(driver);
    await table.ensure();
    const state = await readState(driver, config, opts);
    const ids = new Set(baselineTargets(planOf(state), opts.to, opts.migrationPath, opts.database));
    if (state.blocked) throw state.blocked;
    if (ids.size === 0) return { marked: [], migrations: planOf(state), warnings: state.warnings };
    const todo = state.migrations.filter((m) => ids.has(m.id));
    await inTransaction(driver, async () => {
      for (const m of todo) await table.markApplied(m.id, m.checksum);
    });
    const after = await readState(driver, config, opts);
    return { marked: todo.map((m) => m.id), migrations: planOf(after), warnings: after.warnings };
  });
}
