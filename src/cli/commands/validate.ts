import { resolve } from "node:path";
import type { Command } from "commander";
import { api, common, connectionFlags, connectionOptions, EXIT, loadedFrom, out, prepare, type CommonFlags, type ConnectionFlags } from "../shared.js";
import { selectionFlags, selectionOptions, type SelectionFlags } from "../selection.js";

interface ValidateFlags extends CommonFlags, SelectionFlags, ConnectionFlags {
  connect?: boolean;
}

/**
 * `stagecraft validate`: the config, fleets expanded, every connection variable set, and each
 * engine's offline checks of its folder; with `--connect` each database reached and its
 * bookkeeping table read. Exit 0 valid, 1 invalid, 2 a database could not be reached.
 */
export function validateCommand(program: Command): Command {
  return connectionFlags(selectionFlags(common(program.command("validate").description("check the config, connection variables and migrations folders (--connect: reach each database too)")), "only databases matching NAME (a name, glob pattern or fleet entry); repeatable"))
    .option("--connect", "also connect to every selected database and read its bookkeeping table (read-only)")
    .action(async (flags: ValidateFlags) => {
      process.exitCode = await validate(flags);
    });
}

async function validate(flags: ValidateFlags): Promise<number> {
  let config;
  try {
    config = await prepare(flags);
  } catch (error) {
    // An invalid config under --json is still a JSON answer: the issues, each with its place.
    const issues = (error as { issues?: unknown }).issues;
    if (!flags.json || (error as { kind?: unknown }).kind !== "invalid_config") throw error;
    const file = loadedFrom()?.config.path ?? resolve(flags.config ?? "stagecraft.yml");
    out.write(`${JSON.stringify({ ok: false, file, issues: Array.isArray(issues) ? issues : [{ file, path: "", message: (error as Error).message }] }, null, 2)}\n`);
    return EXIT.invalid;
  }
  const { describeValidation, renderValidation, withIssues } = await import("../render-validate.js");
  const { select } = await import("../../runner/select.js");
  const { offlineIssues, connectIssues, lintSyntaxIssues } = await import("../validate-checks.js");
  const { get, lintAll, planAll } = await api();
  const validation = describeValidation(config, selectionOptions(flags), process.env);
  const selected = select(config, { ...selectionOptions(flags), strategies: ["pre_deploy", "post_deploy", "manual"] });
  const issues = await offlineIssues(config, selected, process.env, get);
  // Databases with an offline error (unset variable, unreadable folder, wrong provider) would only fail the same way again.
  const failedOffline = new Set(issues.filter((i) => i.severity === "error").flatMap((i) => i.databases));
  const names = selected.filter((db) => !failedOffline.has(db.fleet ?? db.name)).map((db) => db.name);
  if (names.length > 0) {
    const linted = await lintAll(config, { databases: names, all: true }).catch((error: unknown) => error as Error);
    if (linted instanceof Error) issues.push({ databases: names.length > 3 ? [`${names.length} databases`] : names, severity: "warning", code: "syntax_unchecked", message: `the SQL syntax check could not run: ${linted.message}` });
    else issues.push(...lintSyntaxIssues(linted));
  }
  let reached: number | undefined;
  if (flags.connect) {
    if (names.length > 0) {
      const report = await planAll(config, { databases: names, lint: false, ...connectionOptions(flags) });
      const found = connectIssues(report, selected);
      issues.push(...found);
      reached = report.databases.filter((db) => db.status === "planned").length;
    } else reached = 0;
  }
  const result = withIssues(validation, issues, reached);
  out.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderValidation(result, flags.verbose === true)}\n`);
  if (issues.some((i) => i.code === "unreachable")) return EXIT.failed;
  return result.ok ? EXIT.ok : EXIT.invalid;
}
