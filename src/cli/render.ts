import type { DatabaseReport, RunReport } from "../runner/report.js";
import type { makeStyle } from "./style.js";
import { renderPlanFindings, summariseFindings } from "./render-lint.js";

type Style = ReturnType<typeof makeStyle>;

export interface RenderOptions {
  /** Every database in full, however many there are. @default false */
  verbose?: boolean;
  /** Plans: a first line saying what was read (config and env file). */
  header?: string;
  /** Runs: only databases that changed or failed (`--quiet`). @default false */
  quiet?: boolean;
}

/**
 * Up to this many databases, text output shows every one in full. Past it (a fleet), it shows
 * the failures in full, the first {@link SHOWN_WHEN_SUMMARISED} others, and counts.
 */
export const FULL_OUTPUT_UP_TO = 50;
export const SHOWN_WHEN_SUMMARISED = 20;

/** The plan as one table per database: id, description, state. Summarised for fleets. */
export function renderPlan(report: RunReport, style: Style, options: RenderOptions = {}): string {
  const out: string[] = options.header === undefined ? [] : [style.dim(options.header), ""];
  const { full, brief, rest } = split(report, options);
  for (const db of full) out.push(...planTable(db, style), "");
  for (const db of brief) out.push(`${style.bold(db.name)}${style.dim(` (${db.engine})`)}  ${describeDb(db, pending(db), style)}`);
  if (brief.length > 0) out.push("");
  if (rest.length > 0) {
    const upToDate = rest.filter((db) => pending(db) === 0).length;
    out.push(style.dim(`… and ${rest.length} more: ${upToDate} up to date, ${rest.length - upToDate} with pending migrations (--verbose or --json for all)`), "");
  }
  if (brief.length + rest.length > 0) out.push(...pendingByMigration(report, style));
  if (brief.length + rest.length > 0) out.push(...summariseFindings([...brief, ...rest], style));
  out.push(renderSummary(report, style));
  return out.join("\n");
}

function planTable(db: DatabaseReport, style: Style): string[] {
  // The target (password masked) says which server the plan read: the one a run would change.
  const out = [style.bold(`${db.name}`) + style.dim(` (${db.engine})`) + `  ${describeDb(db, pending(db), style)}` + (db.target === undefined ? "" : style.dim(`  ${db.target}`))];
  if (db.migrations.length > 0) {
    const idWidth = Math.max(2, ...db.migrations.map((m) => m.id.length));
    const descWidth = Math.max(11, ...db.migrations.map((m) => m.description.length));
    out.push(style.dim(`  ${"ID".padEnd(idWidth)}  ${"DESCRIPTION".padEnd(descWidth)}  STATE`));
    for (const m of db.migrations) {
      const state = m.applied ? style.green("applied") : style.yellow("pending");
      const action = m.action === "revert" ? style.red("  → revert") : m.action === "apply" ? style.yellow("  → apply") : "";
      out.push(`  ${m.id.padEnd(idWidth)}  ${m.description.padEnd(descWidth)}  ${state}${action}`);
    }
  }
  // What the engine noticed in the folder (an empty folder, a file it skips): never silent.
  for (const warning of db.warnings ?? []) out.push(`  ${style.yellow("warning")} [${warning.code}] ${warning.message}`);
  if (db.lint) out.push(...renderPlanFindings(db.lint, style));
  if (db.error) out.push(renderError(db, style));
  return out;
}

/** For a summarised plan: each pending migration and on how many databases it is pending. */
function pendingByMigration(report: RunReport, style: Style): string[] {
  const counts = new Map<string, number>();
  for (const db of report.databases) for (const m of db.migrations) if (!m.applied) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
  if (counts.size === 0) return [];
  const rows = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = rows.slice(0, SHOWN_WHEN_SUMMARISED);
  const width = Math.max(...shown.map(([id]) => id.length));
  const out = [style.dim("pending migrations:"), ...shown.map(([id, n]) => `  ${id.padEnd(width)}  pending on ${n} database${n === 1 ? "" : "s"}`)];
  if (rows.length > shown.length) out.push(style.dim(`  … and ${rows.length - shown.length} more migration ids`));
  return [...out, ""];
}

/**
 * Which databases are shown in full (all of them, or only the failed ones past
 * {@link FULL_OUTPUT_UP_TO}), which as one line, and which only counted.
 */
function split(report: RunReport, options: RenderOptions): { full: DatabaseReport[]; brief: DatabaseReport[]; rest: DatabaseReport[] } {
  if (options.verbose === true || report.databases.length <= FULL_OUTPUT_UP_TO) return { full: report.databases, brief: [], rest: [] };
  const full = report.databases.filter((db) => db.status === "failed");
  const others = report.databases.filter((db) => db.status !== "failed");
  return { full, brief: others.slice(0, SHOWN_WHEN_SUMMARISED), rest: others.slice(SHOWN_WHEN_SUMMARISED) };
}

function pending(db: DatabaseReport): number {
  return db.migrations.filter((m) => !m.applied).length;
}

/** A plan that previews a run (`--down`, `--steps`, `--to`) marks what it would touch. */
function previewed(db: DatabaseReport): { revert: number; apply: number } | undefined {
  if (!db.migrations.some((m) => m.action !== undefined)) return undefined;
  return { revert: db.migrations.filter((m) => m.action === "revert").length, apply: db.migrations.filter((m) => m.action === "apply").length };
}

function describeDb(db: DatabaseReport, count: number, style: Style): string {
  if (db.status === "failed") return style.red("failed");
  if (db.status !== "succeeded" && db.status !== "planned") return style.yellow(db.status);
  const preview = previewed(db);
  if (preview && preview.revert > 0) return style.red(`${preview.revert} to revert`);
  if (preview && preview.apply > 0) return style.yellow(`${preview.apply} to apply (${count} pending)`);
  return count === 0 ? style.green("up to date") : style.yellow(`${count} pending`);
}

function renderError(db: DatabaseReport, style: Style): string {
  if (!db.error) return "";
  const hint = db.error.hint ? `\n    ${style.dim(`hint: ${db.error.hint}`)}` : "";
  return `  ${style.red(`error [${db.error.kind}]`)} ${db.error.message}${hint}`;
}

function renderSummary(report: RunReport, style: Style): string {
  const { total, planned, succeeded, failed, skipped, cancelled } = report.summary;
  const parts = [`${total} database${total === 1 ? "" : "s"}`, report.mode === "plan" ? style.green(`${planned} planned`) : style.green(`${succeeded} succeeded`)];
  if (failed > 0) parts.push(style.red(`${failed} failed`));
  if (skipped > 0) parts.push(style.yellow(`${skipped} skipped`));
  if (cancelled > 0) parts.push(style.yellow(`${cancelled} cancelled`));
  const done = report.databases.reduce((sum, db) => sum + db.applied.length, 0);
  const migrations = `${done} migration${done === 1 ? "" : "s"} ${done === 1 ? "was" : "were"}`;
  if (report.resolution?.action === "applied") parts.push(`${migrations} marked applied`);
  else if (report.resolution) parts.push(`${done} failed attempt${done === 1 ? " was" : "s were"} forgotten`);
  else if (report.mode === "run") parts.push(`${migrations} ${report.direction === "down" ? "reverted" : "run"}`);
  else if (report.direction === "down") {
    const toRevert = report.databases.reduce((sum, db) => sum + (db.status === "failed" ? 0 : db.migrations.filter((m) => m.action === "revert").length), 0);
    parts.push(`${toRevert} migration${toRevert === 1 ? "" : "s"} to revert`);
  }
  return parts.join(", ");
}

/** What a run did to one database, in the words of what it did: applied, reverted, marked applied, forgotten. */
function describeDone(report: RunReport, db: DatabaseReport): string {
  if (db.applied.length === 0) return report.direction === "down" ? "nothing to revert" : "up to date";
  const ids = db.applied.join(", ");
  if (report.resolution?.action === "applied") return `marked applied (${ids}), without running it`;
  if (report.resolution) return `forgot the failed attempt of ${ids}; the next run retries it`;
  return `${db.applied.length} ${report.direction === "down" ? "reverted" : "applied"} (${ids})`;
}

/** After a run: one line per database that did something or failed (summarised for fleets), then the summary. */
export function renderRunResult(report: RunReport, style: Style, options: RenderOptions = {}): string {
  const out: string[] = [];
  const { full, brief, rest } = split(report, options);
  for (const db of [...full, ...brief]) {
    if (options.quiet === true && db.status === "succeeded" && db.applied.length === 0) continue;
    if (db.status === "failed") out.push(`${style.red("✗")} ${db.name}`, renderError(db, style));
    else if (db.status !== "succeeded") out.push(`${style.yellow("-")} ${db.name}: ${db.status}`);
    else out.push(`${style.green("✓")} ${db.name}: ${describeDone(report, db)}`);
  }
  if (rest.length > 0) {
    const counts = new Map<string, number>();
    for (const db of rest) counts.set(db.status, (counts.get(db.status) ?? 0) + 1);
    out.push(style.dim(`… and ${rest.length} more: ${[...counts].map(([status, n]) => `${n} ${status}`).join(", ")} (--verbose or --json for all)`));
  }
  out.push("", renderSummary(report, style));
  return out.join("\n");
}
