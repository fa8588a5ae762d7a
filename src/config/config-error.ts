import { StagecraftError } from "../errors.js";

/** One problem in a config file, kept as data; {@link formatConfigIssues} renders it. */
export interface ConfigIssue {
  file: string;
  /** 1-based, when the problem has a place in the file. */
  line?: number;
  column?: number;
  /** Dotted path, e.g. `databases.main.migrations.engine`; empty for the whole file. */
  path: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** Thrown by `loadConfig` (and rejected by planAll/runAll) when the config is unusable. */
export class ConfigError extends StagecraftError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super("invalid_config", formatConfigIssues(issues));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const subject = issue.path === "" ? "" : `${issue.path}: `;
  const hint = issue.hint === undefined ? "" : `\n  hint: ${issue.hint}`;
  return `${where}: ${subject}${issue.message}${hint}`;
}

export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return `invalid config (${count}):\n${issues.map(formatConfigIssue).join("\n")}`;
}
