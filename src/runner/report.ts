import { readFileSync } from "node:fs";
import { PACKAGE_JSON } from "../runtime-files.js";
import type { SerializedError } from "../errors.js";
import type { PlanWarning, StatedMigration } from "../registry/engine.js";
import type { LintFinding } from "../lint/finding.js";

/** A migration in a report: always with its `state` (applied, pending, or failed and blocking). */
export type ReportedMigration = StatedMigration;

/**
 * The report's schema version (`report.schema.json`). Bumped when a field changes meaning or
 * goes away; new optional fields keep it.
 */
export const REPORT_VERSION = 1;

/** The version of stagecraft that wrote a report. */
export const STAGECRAFT_VERSION = (JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { version: string }).version;

/**
 * `planned`: a plan read the database (mode `plan`); `succeeded`: a run finished it (mode `run`);
 * `failed`: see `error`; `skipped`: `--fail-fast` never started it; `cancelled`: a signal stopped it.
 */
export type DatabaseStatus = "planned" | "succeeded" | "failed" | "skipped" | "cancelled";

interface DatabaseReportBase {
  name: string;
  engine: string;
  /** The redacted connection target (`postgres://app:***@db:5432/orders`, `sqlite:./data/app.db`). Absent when the URL is unknown (unset variable). */
  target?: string;
  /** The database's plan (after the run, for mode `run`), in apply order; listed even when the database is blocked. */
  migrations: ReportedMigration[];
  /** IDs this run applied (or reverted, when the report's `direction` is down; resolved; or, for `baseline`, marked applied without running), in order. Empty for `plan`. */
  applied: string[];
  /** What the engine noticed in the migration source without failing (an empty folder, a misnamed file). Absent when there is none. */
  warnings?: PlanWarning[];
  /** Plans: lint findings of the migrations still to apply (docs/lint.md). Absent when there is none. */
  lint?: LintFinding[];
  /** Wall time of this database's task (modes `run` and `baseline`: plans stay byte-identical). */
  durationMs?: number;
}

/** A database that failed: `error` says why. */
export interface FailedDatabaseReport extends DatabaseReportBase {
  status: "failed";
  error: SerializedError;
}

/** Any other outcome: no `error`. */
export interface SettledDatabaseReport extends DatabaseReportBase {
  status: Exclude<DatabaseStatus, "failed">;
  error?: never;
}

/** One database's outcome, discriminated on `status`: `error` is present exactly when it failed. */
export type DatabaseReport = FailedDatabaseReport | SettledDatabaseReport;

export interface ReportSummary {
  total: number;
  /** Plans: databases read (mode `plan` only; 0 for runs). */
  planned: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

export interface RunReport {
  /** {@link REPORT_VERSION}: the shape of this object (`stagecraft/report.schema.json`). */
  version: typeof REPORT_VERSION;
  /** The stagecraft release that wrote it. */
  stagecraftVersion: string;
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
  summary: ReportSummary;
}

export type ReportMode = "plan" | "run" | "baseline";

/** What the call did, beyond its mode: the direction, and for `migrate resolve` what it recorded. */
export interface ReportContext {
  direction: "up" | "down";
  resolution?: RunReport["resolution"];
}

/** A database report as the runner assembles it, before the `error` ⇔ `failed` rule is applied. */
export type LooseDatabaseReport = DatabaseReportBase & { status: DatabaseStatus; error?: SerializedError };

/**
 * `report` with the rule the type states: one carrying an error is `failed` whatever its status
 * said, and a failed one without an error gets one (an internal error: it should not happen).
 * `status` replaces the report's own (a plan's `succeeded` becomes `planned`).
 */
export function databaseReport(report: LooseDatabaseReport, status: DatabaseStatus = report.status): DatabaseReport {
  return normalised(report, status);
}

/**
 * {@link databaseReport} with `status` in place of the report's own. Built key by key, not by
 * spreading: a fleet's report holds one per database, and an object built from spreads takes
 * about three times the memory of a plain one.
 */
function normalised(report: LooseDatabaseReport, status: DatabaseStatus): DatabaseReport {
  const { name, engine, target, migrations, applied, warnings, lint, durationMs, error } = report;
  const failed = error !== undefined || status === "failed";
  // The status as this module's own string: one cloned from a worker's result is a fresh copy per database.
  status = STATUSES[status] ?? status;
  // Keys in one order whatever built the report: JSON output stays stable.
  const out: LooseDatabaseReport = target === undefined
    ? { name, engine, status: failed ? "failed" : status, migrations, applied }
    : { name, engine, target, status: failed ? "failed" : status, migrations, applied };
  if (warnings !== undefined) out.warnings = warnings;
  if (lint !== undefined) out.lint = lint;
  if (durationMs !== undefined) out.durationMs = durationMs;
  if (failed) out.error = error ?? { kind: "internal", message: `database ${name} failed without an error` };
  return out as DatabaseReport;
}

const STATUSES: Readonly<Record<string, DatabaseStatus>> = { planned: "planned", succeeded: "succeeded", failed: "failed", skipped: "skipped", cancelled: "cancelled" };

/** The report of `databases`. In a plan a database that was read is `planned`, never `succeeded`: nothing ran. */
export function buildReport(mode: ReportMode, databases: readonly LooseDatabaseReport[], context: ReportContext = { direction: "up" }): RunReport {
  return assembleReport(mode, databases.map((db) => normalised(db, finalStatus(mode, db.status))), context);
}

/** The status a database's report ends with in a report of `mode`: a plan's `succeeded` is `planned`. */
export function finalStatus(mode: ReportMode, status: DatabaseStatus): DatabaseStatus {
  return mode === "plan" && status === "succeeded" ? "planned" : status;
}

/**
 * {@link buildReport} of reports already made by {@link databaseReport} with their
 * {@link finalStatus}: sorted in place and kept, not copied (a fleet's report would otherwise be
 * made twice over at its peak).
 */
export function assembleReport(mode: ReportMode, databases: DatabaseReport[], context: ReportContext = { direction: "up" }): RunReport {
  const sorted = databases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const summary = { total: sorted.length, planned: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const db of sorted) summary[db.status]++;
  return {
    version: REPORT_VERSION,
    stagecraftVersion: STAGECRAFT_VERSION,
    ok: summary.failed === 0 && summary.cancelled === 0,
    mode,
    direction: context.direction,
    ...(context.resolution ? { resolution: context.resolution } : {}),
    databases: sorted,
    summary,
  };
}
