import { relative } from "node:path";
import type { DatabaseReport, LintFinding, LintReport } from "../index.js";
import type { makeStyle } from "./style.js";

type Style = ReturnType<typeof makeStyle>;

/** Databases named per finding before the rest are counted. */
const NAMED_DATABASES = 5;

/** A path as the user reads it: relative to the current folder when that is shorter. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel !== "" && rel.length < file.length ? rel : file;
}

/** One finding: severity, rule and place on the first line, then the statement, the reason and the fix. */
export function renderFinding(f: LintFinding, style: Style, indent = "", where = ""): string[] {
  const severity = f.severity === "error" ? style.red("error") : style.yellow("warning");
  return [
    `${indent}${severity} ${style.bold(f.rule)}  ${displayPath(f.file)}:${f.line}:${f.column}${where}`,
    `${indent}  ${style.dim(f.statement)}`,
    `${indent}  ${f.message}`,
    `${indent}  ${style.dim(`fix: ${f.fix}`)}`,
  ];
}

/** The text output of `stagecraft lint`: every finding, databases that could not be linted, a summary line. */
export function renderLint(report: LintReport, style: Style): string {
  const out: string[] = [];
  for (const f of report.findings) {
    const names = f.databases.slice(0, NAMED_DATABASES).join(", ") + (f.databases.length > NAMED_DATABASES ? ` and ${f.databases.length - NAMED_DATABASES} more` : "");
    out.push(...renderFinding(f, style, "", style.dim(`  (${f.engine} on ${f.dialect}: ${names})`)), "");
  }
  for (const db of report.databases) {
    if (db.status === "failed") out.push(`${style.red("✗")} ${db.name}: not linted: ${db.error?.message ?? "failed"}${db.error?.hint ? `\n    ${style.dim(`hint: ${db.error.hint}`)}` : ""}`);
    else if (db.status === "not-linted") out.push(style.dim(`- ${db.name}: not linted: ${db.reason ?? ""}`));
  }
  if (out.length > 0 && out.at(-1) !== "") out.push("");
  const { errors, warnings, databases, linted, notLinted, failed } = report.summary;
  const what = report.mode === "all" ? "every migration" : "pending migrations";
  const parts = [
    errors > 0 ? style.red(`${errors} error${errors === 1 ? "" : "s"}`) : "0 errors",
    warnings > 0 ? style.yellow(`${warnings} warning${warnings === 1 ? "" : "s"}`) : "0 warnings",
  ];
  const notes = [notLinted > 0 ? `${notLinted} not linted` : "", failed > 0 ? style.red(`${failed} failed`) : ""].filter((n) => n !== "");
  const scope = linted === databases ? `${databases} database${databases === 1 ? "" : "s"}` : `${linted} of ${databases} databases`;
  out.push(`${parts.join(", ")} in ${scope} (${[what, ...notes].join("; ")})`);
  return out.join("\n");
}

/** A plan's findings under its table: a count, then each finding. */
export function renderPlanFindings(findings: readonly LintFinding[], style: Style): string[] {
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  const counts = [errors > 0 ? style.red(`${errors} error${errors === 1 ? "" : "s"}`) : "", warnings > 0 ? style.yellow(`${warnings} warning${warnings === 1 ? "" : "s"}`) : ""].filter((c) => c !== "");
  return [`  lint: ${counts.join(", ")}${errors > 0 ? " (migrate refuses to start this database; --no-lint overrides)" : ""}`, ...findings.flatMap((f) => renderFinding(f, style, "    "))];
}

/** For a summarised plan (a fleet): how many of the databases not shown in full have findings. */
export function summariseFindings(databases: readonly DatabaseReport[], style: Style): string[] {
  const withFindings = databases.filter((db) => (db.lint?.length ?? 0) > 0);
  if (withFindings.length === 0) return [];
  const withErrors = withFindings.filter((db) => db.lint!.some((f) => f.severity === "error")).length;
  const errors = withErrors > 0 ? `, ${style.red(`${withErrors} with errors`)} (migrate refuses to start them; --no-lint overrides)` : "";
  return [`lint: ${withFindings.length} database${withFindings.length === 1 ? " has" : "s have"} findings in pending migrations${errors}; \`stagecraft lint\` lists them`, ""];
}
