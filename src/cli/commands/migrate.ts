import { CommanderError, type Command } from "commander";
import { api, common, connectionFlags, connectionOptions, EXIT, err, positiveInt, prepare, printReport, type CommonFlags, type ConnectionFlags } from "../shared.js";
import type { Progress } from "../progress.js";
import { gracefulStop, signalExitCode } from "../signals.js";
import { makeStyle } from "../style.js";
import { selectionFlags, selectionOptions, type SelectionFlags } from "../selection.js";

interface MigrateFlags extends CommonFlags, SelectionFlags, ConnectionFlags {
  createDatabase?: boolean;
  plan?: boolean;
  concurrency?: number;
  steps?: number;
  down?: boolean;
  failFast?: boolean;
  /** False with `--no-lint`. */
  lint?: boolean;
}

/** `stagecraft migrate`: apply pending migrations, or show the plan. */
export function migrateCommand(program: Command): Command {
  return selectionFlags(connectionFlags(common(program.command("migrate").description("apply pending migrations of the selected databases (or show the plan)"))
    .enablePositionalOptions())
    .option("--plan", "show the plan; change nothing"))
    .option("--concurrency <n>", "databases at once", positiveInt("--concurrency", 1))
    .option("--steps <n>", "at most N migrations per database (0 = all pending)", positiveInt("--steps", 0))
    .option("--down", "revert the last --steps migrations of each database")
    .option("--fail-fast", "start no new database after the first failure")
    .option("--create-database", "create a PostgreSQL/MySQL database that does not exist yet (SQLite files are always created)")
    .option("--no-lint", "do not lint pending migrations: run a database even when they have lint errors, and plan without findings")
    .option("-q, --quiet", "print only what changed and what failed (no line for a database that was up to date)")
    .action(async (flags: MigrateFlags) => {
      process.exitCode = await migrate(flags);
    });
}

async function migrate(flags: MigrateFlags): Promise<number> {
  if (flags.plan && flags.down) throw new CommanderError(EXIT.invalid, "stagecraft.conflict", "error: --plan cannot be combined with --down (a plan never changes anything)");
  if (flags.plan && flags.steps !== undefined) throw new CommanderError(EXIT.invalid, "stagecraft.conflict", "error: --plan cannot be combined with --steps");
  if (flags.plan && flags.createDatabase) throw new CommanderError(EXIT.invalid, "stagecraft.conflict", "error: --plan cannot be combined with --create-database (a plan never changes anything)");
  if (flags.down && flags.steps === undefined) throw new CommanderError(EXIT.invalid, "stagecraft.conflict", "error: --down needs --steps N (how many migrations to revert per database)");
  // From the start: a signal while the config loads stops the run before anything begins.
  let progress: Progress | undefined;
  const stop = gracefulStop((text) => (progress ? progress.note(text) : err.write(`\n${text}\n`)));
  try {
    const config = await prepare(flags);
    const { planAll, runAll } = await api();
    const { progressListeners } = await import("../progress.js");
    progress = flags.json || flags.plan ? undefined : progressListeners(err, makeStyle(err), { verbose: flags.verbose === true, quiet: flags.quiet === true });
    const options = {
      ...selectionOptions(flags),
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      ...(flags.failFast ? { failFast: true } : {}),
      ...(flags.lint === false ? { lint: false } : {}),
      ...connectionOptions(flags),
      ...(progress ? { on: progress.on } : {}),
      signal: stop.signal,
    };
    const report = flags.plan
      ? await planAll(config, options)
      : await runAll(config, { ...options, direction: flags.down ? "down" : "up", steps: flags.steps ?? 0, ...(flags.createDatabase ? { createDatabase: true } : {}) });
    progress?.stop();
    const code = await printReport(report, flags);
    const signal = stop.received();
    return signal === undefined ? code : signalExitCode(signal);
  } finally {
    progress?.stop();
    stop.dispose();
  }
}
