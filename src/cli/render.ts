import type { DatabaseReport, RunReport } from "../runner/report.js";
import type { makeStyle } from "./style.js";

type Style = ReturnType<typeof makeStyle>;

/** The plan as one table per database: id, description, state. */
export function renderPlan(report: RunReport, style: Style): string {
  const out: string[] = [];
  for (const db of report.databases) {
    const pending = db.migrations.filter((m) => !m.applied).length;
    out.push(style.bold(`${db.name}`) + style.dim(` (${db.engine})`) + `  ${describeDb(db, pending, style)}`);
    if (db.migrations.length > 0) {
      const idWidth = Math.max(2, ...db.migrations.map((m) => m.id.length));
      const descWidth = Math.max(11, ...db.migrations.map((m) => m.description.length));
      out.push(style.dim(`  ${"ID".padEnd(idWidth)}  ${"DESCRIPTION".padEnd(descWidth)}  STATE`));
      for (const m of db.migrations) {
        const state = m.applied ? style.green("applied") : style.yellow("pending");
        out.push(`  ${m.id.padEnd(idWidth)}  ${m.description.padEnd(descWidth)}  ${state}`);
      }
    }
    if (db.error) out.push(renderError(db, style));
    out.push("");
  }
  out.push(renderSummary(report, style));
  return out.join("\n");
}

function describeDb(db: DatabaseReport, pending: number, style: Style): string {
  if (db.status === "failed") return style.red("failed");
  if (db.status !== "succeeded") return style.yellow(db.status);
  return pending === 0 ? style.green("up to date") : style.yellow(`${pending} pending`);
}

function renderError(db: DatabaseReport, style: Style): string {
  if (!db.error) return "";
  const hint = db.error.hint ? `\n    ${style.dim(`hint: ${db.error.hint}`)}` : "";
  return `  ${style.red(`error [${db.error.kind}]`)} ${db.error.message}${hint}`;
}

function renderSummary(report: RunReport, style: Style): string {
  const { total, succeeded, failed, skipped, cancelled } = report.summary;
  const parts = [`${total} database${total === 1 ? "" : "s"}`, style.green(`${succeeded} succeeded`)];
  if (failed > 0) parts.push(style.red(`${failed} failed`));
  if (skipped > 0) parts.push(style.yellow(`${skipped} skipped`));
  if (cancelled > 0) parts.push(style.yellow(`${cancelled} cancelled`));
  if (report.mode === "run") {
    const applied = report.databases.reduce((sum, db) => sum + db.applied.length, 0);
    parts.push(`${applied} migration${applied === 1 ? "" : "s"} ${applied === 1 ? "was" : "were"} run`);
  }
  return parts.join(", ");
}

/** After a run: one line per database that did something or failed, then the summary. */
export function renderRunResult(report: RunReport, style: Style): string {
  const out: string[] = [];
  for (const db of report.databases) {
    if (db.status === "failed") out.push(`${style.red("✗")} ${db.name}`, renderError(db, style));
    else if (db.status !== "succeeded") out.push(`${style.yellow("-")} ${db.name}: ${db.status}`);
    else out.push(`${style.green("✓")} ${db.name}: ${db.applied.length === 0 ? "up to date" : `${db.applied.length} applied (${db.applied.join(", ")})`}`);
  }
  out.push("", renderSummary(report, style));
  return out.join("\n");
}
