import type { Migration, PlanOptions, PlanResult, PlanWarning, StatedMigration } from "./engine.js";

/** An engine's plan may be the bare list or a {@link PlanResult}. */
export function asPlanResult(result: Migration[] | PlanResult): PlanResult {
  return Array.isArray(result) ? { migrations: result } : result;
}

/** Every entry gets its `state`; engines that leave it out only say `applied`. */
export function withStates(migrations: readonly Migration[]): StatedMigration[] {
  return migrations.map((m) => (m.state === undefined ? { ...m, state: m.applied ? "applied" : "pending" } : (m as StatedMigration)));
}

/** `{ warnings }` when there are any, else nothing: a plan without warnings has no such key. */
export function warningsOf(warnings: readonly PlanWarning[] | undefined): { warnings?: PlanWarning[] } {
  // Copies: an engine may share (and freeze) its warnings across the databases of a call.
  return warnings && warnings.length > 0 ? { warnings: warnings.map((warning) => ({ ...warning })) } : {};
}

/**
 * Plan options that preview a run with `direction`/`steps`/`to` (the plan marks what the run
 * would apply or revert), unless the run is the plain "every pending migration", whose marks
 * would only repeat each entry's state.
 */
export function previewOptions(base: PlanOptions, run: { direction: "up" | "down"; steps: number; to?: string | undefined }): PlanOptions {
  if (run.direction === "up" && run.steps === 0 && run.to === undefined) return base;
  return { ...base, direction: run.direction, steps: run.steps, ...(run.to === undefined ? {} : { to: run.to }) };
}
