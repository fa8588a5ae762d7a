import type { DatabaseReport, RunReport } from "../runner/report.js";
import { FULL_OUTPUT_UP_TO, SHOWN_WHEN_SUMMARISED } from "./render.js";
import type { makeStyle } from "./style.js";

type Style = ReturnType<typeof makeStyle>;

/**
 * `migrate baseline` (and its `--plan` preview) as one line per database: what was (or would be)
 * marked applied, "already at ID", or the error. Past {@link FULL_OUTPUT_UP_TO} databases, the
 * failures and the first {@link SHOWN_WHEN_SUMMARISED} others are shown, the rest counted.
 */
export function renderBaseline(report: RunReport, to: string, style: Style, verbose: boolean): string {
  const preview = report.mode === "plan";
  const out: string[] = [];
  const summarise = !verbose && report.databases.length > FULL_OUTPUT_UP_TO;
  const failed = report.databases.filter((db) => db.status === "failed");
  const others = report.databases.filter((db) => db.status !== "failed");
  const shown = summarise ? [...failed, ...others.slice(0, SHOWN_WHEN_SUMMARISED)] : report.databases;
  for (const db of shown) out.push(...line(db, to, preview, style));
  if (summarise && others.length > SHOWN_WHEN_SUMMARISED) {
    out.push(style.dim(`… and ${others.length - SHOWN_WHEN_SUMMARISED} more (--verbose or --json for all)`));
  }
  out.push("", summary(report, preview, style));
  return out.join("\n");
}

function line(db: DatabaseReport, to: string, preview: boolean, style: Style): string[] {
  if (db.status === "failed") {
    const hint = db.error?.hint ? `\n    ${style.dim(`hint: ${db.error.hint}`)}` : "";
    return [`${style.red("✗")} ${db.name}`, `  ${style.red(`error [${db.error?.kind ?? "internal"}]`)} ${db.error?.message ?? "failed"}${hint}`];
  }
  if (db.status !== "succeeded" && db.status !== "planned") return [`${style.yellow("-")} ${db.name}: ${db.status}`];
  const ids = preview ? db.migrations.filter((m) => m.action === "mark").map((m) => m.id) : db.applied;
  if (ids.length === 0) return [`${style.green("✓")} ${db.name}: already at ${to}, nothing to mark`];
  return [`${style.green("✓")} ${db.name}: ${preview ? "would mark" : "marked"} ${ids.length} applied (${ids.join(", ")})`];
}

function summary(report: RunReport, preview: boolean, style: Style): string {
  const { total, planned, succeeded, failed, skipped, cancelled } = report.summary;
  const parts = [`${total} database${total === 1 ? "" : "s"}`, preview ? style.green(`${planned} planned`) : style.green(`${succeeded} succeeded`)];
  if (failed > 0) parts.push(style.red(`${failed} failed`));
  if (skipped > 0) parts.push(style.yellow(`${skipped} skipped`));
  if (cancelled > 0) parts.push(style.yellow(`${cancelled} cancelled`));
  const marked = preview
    ? report.databases.reduce((sum, db) => sum + db.migrations.filter((m) => m.action === "mark").length, 0)
    : report.databases.reduce((sum, db) => sum + db.applied.length, 0);
  parts.push(`${marked} migration${marked === 1 ? "" : "s"} ${preview ? "would be marked applied" : `marked applied`}, none run`);
  return parts.join(", ");
}
