import { StagecraftError } from "../errors.js";
import { baselineTargets } from "../registry/baseline-targets.js";
import type { Engine, Migration, PlanOptions, PlanWarning } from "../registry/engine.js";
import { checkPlan } from "./check-result.js";
import type { CallContext } from "./protocol.js";

/**
 * One database of `migrate baseline --to ID`: the engine records the migrations as applied (their
 * IDs are pushed to `marked`), or, for a preview, its plan gets `action: "mark"` on the ones it
 * would record. Both refuse from the same rule on the engine's plan; the engine checks again
 * under its lock, so a run that changed the database in between is still caught.
 */
export async function baselineTask(engine: Engine, base: PlanOptions, call: CallContext, marked: string[]): Promise<{ migrations?: Migration[]; warnings?: PlanWarning[] }> {
  if (call.to === undefined) throw new StagecraftError("invalid_config", "a baseline needs a migration ID to record up to (--to ID)");
  if (engine.baseline === undefined) {
    throw new StagecraftError("unsupported", `engine ${engine.id} cannot baseline: it has no baseline operation`, {
      hint: "record the migrations one by one with `stagecraft migrate resolve --applied ID`, or leave this database out of the selection",
    });
  }
  // Read-only first: a database that refuses, or is already at `to`, is left untouched (not even
  // a bookkeeping table is created), exactly as the preview says.
  const planned = checkPlan(engine.id, await engine.plan(base));
  const ids = new Set(baselineTargets(planned.migrations, call.to, base.migrationPath, base.database));
  if (planned.blocked) throw planned.blocked;
  const warnings = planned.warnings ? { warnings: planned.warnings } : {};
  if (call.preview === true) return { migrations: planned.migrations.map((m) => (ids.has(m.id) ? { ...m, action: "mark" } : m)), ...warnings };
  if (ids.size === 0) return { migrations: planned.migrations, ...warnings };
  const result = await engine.baseline({ ...base, to: call.to });
  if (result === null || typeof result !== "object" || !Array.isArray(result.marked) || !result.marked.every((id) => typeof id === "string")) {
    throw new StagecraftError("internal", `engine ${engine.id} returned an invalid result from baseline(): must resolve to an object { marked: string[] }`, {
      hint: "the engine breaks the Engine contract (docs/engines.md); fix the engine (or the plugin module that registers it)",
    });
  }
  marked.push(...result.marked);
  if (result.migrations === undefined) return {};
  const after = checkPlan(engine.id, { migrations: result.migrations, ...(result.warnings ? { warnings: result.warnings } : {}) }, "baseline");
  return { migrations: after.migrations, ...(after.warnings ? { warnings: after.warnings } : {}) };
}
