import type { StagecraftConfig } from "../config/load.js";
import type { BaselineAllOptions, PlanAllOptions, ResolveOptions, RunAllOptions } from "./options.js";
import type { RunReport } from "./report.js";
import { baselineCall, baselineOptionsProblem, Runner, runOptionsProblem } from "./runner.js";

export { DEFAULT_PER_SERVER_LIMIT, DEFAULT_WORKER_MEMORY_MB } from "./placement.js";
export type { BaselineAllOptions, PlanAllOptions, ResolveOptions, RunAllOptions } from "./options.js";

/**
 * Plans every selected database on the worker pool. Resolves to a report; one database
 * failing never rejects. Rejects with {@link ConfigError} when the config is unusable.
 *
 * @example
 * const report = await planAll("stagecraft.yml");
 * for (const db of report.databases) console.log(db.name, db.migrations.filter((m) => !m.applied).length);
 */
export function planAll(config: StagecraftConfig | string, options: PlanAllOptions = {}): Promise<RunReport> {
  return Runner.once("plan", config, options);
}

/**
 * Applies (or with `direction: "down"` reverts) migrations of every selected database.
 *
 * @example
 * const report = await runAll("stagecraft.yml", { concurrency: 8, failFast: true });
 * if (!report.ok) process.exitCode = 2;
 */
export function runAll(config: StagecraftConfig | string, options: RunAllOptions = {}): Promise<RunReport> {
  const problem = runOptionsProblem(options);
  return problem ? Promise.reject(problem) : Runner.once("run", config, options);
}

/** Marks a failed or pending migration as applied, or forgets a failed attempt (one database). */
export function resolveMigration(config: StagecraftConfig | string, options: ResolveOptions): Promise<RunReport> {
  return Runner.once("resolve", config, { ...options, databases: [options.database] }, { migration: options.migration, action: options.action });
}

/**
 * Adopts databases migrated by other means: records every migration up to and including `to`
 * as applied, without running it, in each engine's own bookkeeping, on every selected database.
 * A database whose history disagrees fails with the reason; the others go on.
 *
 * @example
 * const preview = await baselineAll("stagecraft.yml", { to: "003_add_index", plan: true });
 * if (preview.ok) await baselineAll("stagecraft.yml", { to: "003_add_index" });
 */
export function baselineAll(config: StagecraftConfig | string, options: BaselineAllOptions): Promise<RunReport> {
  const problem = baselineOptionsProblem(options);
  return problem ? Promise.reject(problem) : Runner.once("baseline", config, baselineCall(options));
}
