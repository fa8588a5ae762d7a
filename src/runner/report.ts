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
  /** IDs this run applied (or reverted, for down; for `baseline`, marked applied without running), in order. Empty for `plan`. */
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
  /** Sorted by name. */
  databases: DatabaseReport[];
  summary: { total: number; succeeded: number; failed: number; skipped: number; cancelled: number };
}

export type ReportMode = "plan" | "run" | "baseline";

export function buildReport(mode: ReportMode, databases: DatabaseReport[]): RunReport {
  const sorted = [...databases].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const count = (status: DatabaseStatus): number => sorted.filter((db) => db.status === status).length;
  const summary = { total: sorted.length, succeeded: count("succeeded"), failed: count("failed"), skipped: count("skipped"), cancelled: count("cancelled") };
  return { ok: summary.failed === 0 && summary.cancelled === 0, mode, databases: sorted, summary };
}
