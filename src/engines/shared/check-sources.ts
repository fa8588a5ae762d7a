import { serializeError } from "../../errors.js";
import type { CheckIssue } from "../../registry/engine-offline.js";
import type { PlanWarning } from "../../registry/engine.js";
import type { SqlSources } from "../../registry/sql-sources.js";
import { splitStatements } from "../../sql/split-statements.js";
import { SqlSyntaxError } from "../../sql/statement.js";

/** A thrown error (a folder that cannot be read, a broken journal) as an `error` issue. */
export function errorIssue(error: unknown, code = "folder"): CheckIssue {
  const plain = serializeError(error);
  return {
    severity: "error",
    code: plain.kind === "invalid_config" ? code : plain.kind,
    message: plain.message,
    ...(plain.file === undefined ? {} : { file: plain.file }),
    ...(plain.line === undefined ? {} : { line: plain.line }),
    ...(plain.hint === undefined ? {} : { hint: plain.hint }),
  };
}

/** A plan warning (empty folder, misnamed file) as a `warning` issue. */
export function warningIssue(warning: PlanWarning): CheckIssue {
  return { severity: "warning", code: warning.code, message: warning.message, ...(warning.file === undefined ? {} : { file: warning.file }) };
}

/**
 * The offline checks of an engine with {@link Engine.sources}: the folder reads (naming rules,
 * journal, folders), its warnings, and every script (or chunk) parses in its dialect — with
 * PostgreSQL's own parser there — reported with file and line.
 */
export async function checkSources(read: () => Promise<SqlSources>): Promise<CheckIssue[]> {
  let sources: SqlSources;
  try {
    sources = await read();
  } catch (error) {
    return [errorIssue(error)];
  }
  const issues = (sources.warnings ?? []).map(warningIssue);
  for (const migration of sources.migrations) {
    for (const range of migration.chunks ?? [undefined]) {
      try {
        await splitStatements(migration.script, sources.dialect, range);
      } catch (error) {
        if (!(error instanceof SqlSyntaxError)) throw error;
        issues.push({
          severity: "error",
          code: "syntax",
          message: `${migration.file}:${error.line}: ${error.message} (migration ${migration.id}, ${sources.dialect})`,
          file: migration.file,
          line: error.line,
          hint: "fix the SQL; the run would fail at this statement",
        });
        break;
      }
    }
  }
  return issues;
}
