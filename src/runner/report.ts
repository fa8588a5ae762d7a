import type { SerializedError } from "../errors.js";
import type { PlanWarning, StatedMigration } from "../registry/engine.js";
import type { LintFinding } from "../lint/finding.js";

/** A migration in a report: always with its `state` (applied, pending, or failed and blocking). */
export type ReportedMigration = StatedMigration;

export type DatabaseStatus = "succeeded" | "failed" | "skipped" | "cancelled";

export interface DatabaseReport {
  name: string;
  engine: string;
  status: DatabaseStatus;
  /** The database's plan (after the run, for mode `run`), in apply order; listed even when the database is blocked. */
  migrations: ReportedMigration[];
  /** IDs this run applied (or reverted, when the report's `direction` is down; resolved; or, for `baseline`, marked applied without running), in order. Empty for `plan`. */
  applied: string[];
  error?: SerializedError;
  /** What the engine noticed in the migration source without failing (an empty folder, a misnamed file). Absent when there is none. */
  warnings?: PlanWarning[];
  /** Plans: lint findings of the migrations still to apply (docs/lint.md). Absent when there is none. */
  lint?: LintFinding[];
  /** Wall time of this database's task (modes `run` and `baseline`: plans stay byte-identical). */
  durationMs?: number;
}

export interface RunReport {
  ok: boolean;
  /** `baseline`: `migrate baseline --to ID` recorded migrations as applied without running them (its preview is a `plan`). */
  mode: ReportMode;
  /**
   * `up`: the run applied migrations (or the plan lists what applying would do). `down`: the run
   * reverted them (or the plan previews a revert, marking each migration to revert with `action`).
   */
  direction: "up" | "down";
  /** `migrate resolve` only: what was recorded — marked `applied`, or the failed attempt forgotten (`rolled-back`). */
  resolution?: { migration: string; action: "applied" | "rolled-back" };
  /** Sorted by name. */
  databases: DatabaseReport[];
  summary: { total: number; succeeded: number; failed: number; skipped: number; cancelled: number };
}

export type ReportMode = "plan" | "run" | "baseline";

export interface ReportContext {
  direction: "up" | "down";
  resolution?: RunReport["resolution"];
}

export function buildReport(mode: ReportMode, databases: DatabaseReport[], context: ReportContext = { direction: "up" }): RunReport {
  const sorted = [...databases].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const count = (status: DatabaseStatus): number => sorted.filter((db) => db.status === status).length;
  const summary = { total: sorted.length, succeeded: count("succeeded"), failed: count("failed"), skipped: count("skipped"), cancelled: count("cancelled") };
  return {
    ok: summary.failed === 0 && summary.cancelled === 0,
    mode,
    direction: context.direction,
    ...(context.resolution ? { resolution: context.resolution } : {}),
    databases: sorted,
    summary,
  };
}
