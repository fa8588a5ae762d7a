import { CommanderError, InvalidArgumentError, type Command } from "commander";
import { api, common, connectionFlags, connectionOptions, EXIT, out, positiveInt, prepare, type CommonFlags, type ConnectionFlags } from "../shared.js";
import { makeStyle } from "../style.js";
import { selectionFlags, selectionOptions, type SelectionFlags } from "../selection.js";

/**
 * Exit codes of `stagecraft lint`: 0 clean, 1 lint errors (or invalid input), 2 a database
 * whose state or folder could not be read, 5 more warnings than `--max-warnings` allows.
 */
export const LINT_EXIT = { clean: EXIT.ok, errors: EXIT.invalid, failed: EXIT.failed, warnings: 5 } as const;

const DIALECTS = ["postgres", "mysql", "sqlite"] as const;

interface LintFlags extends CommonFlags, SelectionFlags, ConnectionFlags {
  all?: boolean;
  dialect?: (typeof DIALECTS)[number];
  maxWarnings?: number;
}

/** `stagecraft lint`: find migrations that will fail or hurt production before they run. */
export function lintCommand(program: Command): Command {
  return selectionFlags(connectionFlags(common(program.command("lint").description("lint the pending migrations of the selected databases (--all: every migration, without connecting)"))))
    .option("--all", "lint every migration of each folder instead of the pending ones; connects to no database")
    .option("--dialect <dialect>", "with --all: the dialect of databases whose URL is not set (postgres, mysql, sqlite)", (value: string) => {
      if (!(DIALECTS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--dialect must be one of ${DIALECTS.join(", ")}`);
      return value;
    })
    .option("--max-warnings <n>", `exit ${LINT_EXIT.warnings} when there are more warnings than this`, positiveInt("--max-warnings", 0))
    .action(async (flags: LintFlags) => {
      if (flags.dialect && !flags.all) throw new CommanderError(EXIT.invalid, "stagecraft.conflict", "error: --dialect needs --all (without it, each database's URL says its dialect)");
      const config = await prepare(flags);
      const report = await (await api()).lintAll(config, {
        ...selectionOptions(flags),
        ...connectionOptions(flags),
        ...(flags.all ? { all: true } : {}),
        ...(flags.dialect ? { dialect: flags.dialect } : {}),
      });
      const { renderLint } = await import("../render-lint.js");
      out.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderLint(report, makeStyle(out))}\n`);
      if (report.summary.errors > 0) process.exitCode = LINT_EXIT.errors;
      else if (report.summary.failed > 0) process.exitCode = LINT_EXIT.failed;
      else if (flags.maxWarnings !== undefined && report.summary.warnings > flags.maxWarnings) process.exitCode = LINT_EXIT.warnings;
      else process.exitCode = LINT_EXIT.clean;
    });
}
