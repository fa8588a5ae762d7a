import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";
import type { Env } from "../config/env.js";
import type { Dialect } from "../drivers/driver.js";
import { parseConnectionUrl } from "../drivers/url.js";
import { serializeError } from "../errors.js";
import type { CheckIssue } from "../registry/engine-offline.js";
import type { Engine } from "../registry/engine.js";
import type { LintReport } from "../lint/lint-report.js";
import type { RunReport } from "../runner/report.js";
import { prepare } from "../runner/prepare.js";

/** A {@link CheckIssue} with the databases it concerns (a fleet counts as its entry name). */
export interface ValidationIssue extends CheckIssue {
  databases: string[];
}

/**
 * Every offline check of the selected databases: the connection variable is set and the URL
 * parses; then each engine's {@link Engine.check}, once per folder, engine config and dialect
 * however many databases share them. Runs in this thread: checks read files, never connect.
 */
export async function offlineIssues(config: StagecraftConfig, databases: readonly DatabaseConfig[], env: Env, engineOf: (id: string) => Engine): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  const folders = new Map<string, { db: DatabaseConfig; dialect: Dialect | undefined; names: Set<string> }>();
  for (const db of databases) {
    const who = db.fleet ?? db.name;
    const prepared = prepare(db, config, env);
    let dialect: Dialect | undefined;
    if (prepared.url === undefined) {
      const error = prepared.error!;
      issues.push({ databases: [who], severity: "error", code: error.message.includes("is not set") ? "connection_env_unset" : "bad_url", message: error.message.replace(`database ${db.name}: `, ""), ...(error.hint ? { hint: error.hint } : {}) });
    } else {
      dialect = parseConnectionUrl(prepared.url, config.dir, db.connectionEnv).dialect;
    }
    const key = `${db.engine}\0${db.migrationPath}\0${JSON.stringify(db.engineConfig)}\0${dialect ?? ""}`;
    const folder = folders.get(key) ?? folders.set(key, { db, dialect, names: new Set() }).get(key)!;
    folder.names.add(who);
  }
  for (const { db, dialect, names } of folders.values()) {
    const engine = engineOf(db.engine);
    if (engine.check === undefined) continue;
    let found: CheckIssue[];
    try {
      found = await engine.check({ config: db.engineConfig, migrationPath: db.migrationPath, workDir: config.dir, database: db.fleet ?? db.name, ...(dialect ? { dialect } : {}) });
    } catch (error) {
      const plain = serializeError(error);
      found = [{ severity: "error", code: plain.kind, message: `engine ${db.engine} could not check ${db.migrationPath}: ${plain.message}`, ...(plain.hint ? { hint: plain.hint } : {}) }];
    }
    for (const issue of found) issues.push({ databases: [...names], ...issue });
  }
  return issues;
}

/** What `validate --connect` found: each database reached (or not), its bookkeeping table readable. */
export function connectIssues(report: RunReport, databases: readonly DatabaseConfig[]): ValidationIssue[] {
  const fleetOf = new Map(databases.map((db) => [db.name, db.fleet ?? db.name]));
  const issues: ValidationIssue[] = [];
  for (const db of report.databases) {
    if (db.status !== "failed" || db.error === undefined) continue;
    // Reports carry errors already scrubbed of the URL's secrets.
    const error = db.error;
    const unreachable = error.kind === "connection_failed" || error.kind === "cancelled";
    issues.push({
      databases: [fleetOf.get(db.name) === db.name ? db.name : `${fleetOf.get(db.name)} (${db.name})`],
      severity: "error",
      code: unreachable ? "unreachable" : error.kind === "invalid_config" ? "state" : "bookkeeping",
      message: `${unreachable || error.kind === "invalid_config" ? "" : "cannot read the migration state: "}${error.message.replace(`database ${db.name}: `, "")}`,
      ...(error.file ? { file: error.file } : {}),
      ...(error.hint ? { hint: error.hint } : unreachable || error.kind === "invalid_config" ? {} : { hint: "the engine's bookkeeping table exists without the columns it expects (an older layout, or another tool's table of that name): check the engine's table setting" }),
    });
  }
  return issues;
}

/**
 * Syntax errors `stagecraft lint --all` finds with MySQL's and SQLite's own rules (SQLite's
 * parser prepares each statement in an empty in-memory database). PostgreSQL scripts are parsed
 * by the engines' checks already, with PostgreSQL's parser.
 */
export function lintSyntaxIssues(report: LintReport): ValidationIssue[] {
  return report.findings
    .filter((f) => f.rule === "syntax-error" && f.dialect !== "postgres")
    .map((f) => ({
      databases: f.databases,
      severity: "error" as const,
      code: "syntax",
      message: `${f.file}:${f.line}: ${f.message} (migration ${f.migration}, ${f.dialect})`,
      file: f.file,
      line: f.line,
      hint: "fix the SQL; the run would fail at this statement",
    }));
}
