import { CommanderError, type Command } from "commander";
import { api, common, connectionFlags, connectionOptions, EXIT, err, out, positiveInt, prepare, printReport, type CommonFlags, type ConnectionFlags } from "../shared.js";
import type { Progress } from "../progress.js";
import { gracefulStop, signalExitCode } from "../signals.js";
import { makeStyle } from "../style.js";
import { PHASE_DATABASE_HELP, phaseSelectionOptions, selectionFlags, strategyFlag, type SelectionFlags } from "../selection.js";
import { confirmRevert, leftOutNote } from "./migrate-safety.js";
import { ledgerFlags, ledgerFlagsProblem, type LedgerFlags } from "../ledger-flags.js";
import { mergeListeners } from "../../runner/events.js";

export interface MigrateFlags extends CommonFlags, SelectionFlags, ConnectionFlags, LedgerFlags {
  createDatabase?: boolean;
  plan?: boolean;
  concurrency?: number;
  steps?: number;
  to?: string;
  down?: boolean;
  all?: boolean;
  yes?: boolean;
  failFast?: boolean;
  /** False with `--no-lint`. */
  lint?: boolean;
}

const conflict = (message: string): CommanderError => new CommanderError(EXIT.invalid, "stagecraft.conflict", `error: ${message}`);

/** `stagecraft migrate`: apply pending migrations, or show the plan. */
export function migrateCommand(program: Command): Command {
  return ledgerFlags(strategyFlag(selectionFlags(connectionFlags(common(program.command("migrate").description("apply pending migrations of the selected databases (or show the plan)"))
    .enablePositionalOptions())
    .option("--plan", "show the plan; change nothing (with --down, --steps or --to: what that run would revert or apply)"), PHASE_DATABASE_HELP))
    .option("--concurrency <n>", "databases at once", positiveInt("--concurrency", 1))
    .option("--steps <n>", "at most N migrations per database (0 = all pending)", positiveInt("--steps", 0))
    .option("--to <id>", "up: apply pending migrations up to and including ID; with --down: revert every migration applied after ID, keeping ID")
    .option("--down", "revert the last --steps migrations (or those after --to) of each selected database; needs --database/--tag or --all")
    .option("--all", "with --down: revert on every selected database (a revert never defaults to the whole config)")
    .option("-y, --yes", "revert without asking for confirmation (needed when stdin is not a terminal)")
    .option("--fail-fast", "start no new database after the first failure")
    .option("--create-database", "create a PostgreSQL/MySQL database that does not exist yet (SQLite files are always created)")
    .option("--no-lint", "do not lint pending migrations: run a database even when they have lint errors, and plan without findings")
    .option("-q, --quiet", "print only what changed and what failed (no line for a database that was up to date)"))
    .action(async (flags: MigrateFlags) => {
      process.exitCode = await migrate(flags);
    });
}

/** Contradictory or unsafe flag combinations, refused before anything loads. */
function refuseFlags(flags: MigrateFlags): void {
  if (flags.plan && flags.createDatabase) throw conflict("--plan cannot be combined with --create-database (a plan never changes anything)");
  if (flags.plan && flags.yes) throw conflict("--plan cannot be combined with --yes (a plan changes nothing, so there is nothing to confirm)");
  if (flags.down && flags.steps === undefined && flags.to === undefined) throw conflict("--down needs --steps N (how many migrations to revert per database) or --to ID (revert the migrations applied after ID)");
  if (flags.down && flags.steps === 0) throw conflict("--down needs --steps N of 1 or more (or --to ID)");
  if (flags.all && !flags.down) throw conflict("--all is for --down only (without --down, migrate already runs every selected database)");
  if (flags.all && (flags.database !== undefined || flags.tag !== undefined)) throw conflict("--all cannot be combined with --database or --tag (name the databases, or revert on all of them)");
  if (flags.down && !flags.plan && !flags.all && flags.database === undefined && flags.tag === undefined) {
    throw conflict("--down reverts migrations: name the databases with --database or --tag, or pass --all to revert on every selected database (--plan --down shows what would be reverted)");
  }
}

async function migrate(flags: MigrateFlags): Promise<number> {
  refuseFlags(flags);
  const ledgerProblem = ledgerFlagsProblem(flags);
  if (ledgerProblem) throw ledgerProblem;
  // From the start: a signal while the config loads stops the run before anything begins.
  let progress: Progress | undefined;
  const stop = gracefulStop((text) => (progress ? progress.note(text) : err.write(`\n${text}\n`)));
  try {
    const config = await prepare(flags);
    const { planAll, runAll } = await api();
    const direction = flags.down ? "down" : "up";
    const target = { direction, steps: flags.steps ?? 0, ...(flags.to === undefined ? {} : { to: flags.to }) } as const;
    const common = {
      ...phaseSelectionOptions(flags),
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      ...(flags.failFast ? { failFast: true } : {}),
      ...(flags.lint === false ? { lint: false } : {}),
      ...connectionOptions(flags),
      signal: stop.signal,
    };
    if (!flags.json) leftOutNote(config, flags, err);
    if (flags.down && !flags.plan) {
      const confirmed = await confirmRevert(flags, () => planAll(config, { ...common, ...target }));
      if (confirmed !== undefined) return confirmed;
    }
    const { progressListeners } = await import("../progress.js");
    progress = flags.json || flags.plan ? undefined : progressListeners(err, makeStyle(err), { verbose: flags.verbose === true, quiet: flags.quiet === true });
    const options = { ...common, ...(progress ? { on: progress.on } : {}) };
    const previewing = flags.down || flags.steps !== undefined || flags.to !== undefined;
    // Shards, the ledger, --only-failed and waves (docs/ledger.md) decide what each runner call gets.
    const { fleetRun } = await import("../fleet-run.js");
    const outcome = await fleetRun(config, flags, {
      plan: flags.plan === true,
      mode: direction,
      env: process.env,
      warn: (text) => (progress ? progress.note(text) : err.write(`${text}\n`)),
      run: ({ on, ...extra }) => {
        const listeners = mergeListeners(options.on, on);
        const call = { ...options, ...extra, ...(listeners ? { on: listeners } : {}) };
        return flags.plan ? planAll(config, previewing ? { ...call, ...target } : call) : runAll(config, { ...call, ...target, ...(flags.createDatabase ? { createDatabase: true } : {}) });
      },
    });
    progress?.stop();
    const printed = await printReport(outcome.report, flags);
    if (!flags.json && outcome.notes.length > 0) out.write(`${outcome.notes.join("\n")}\n`);
    const code = printed === EXIT.ok ? outcome.code : printed;
    const signal = stop.received();
    return signal === undefined ? code : signalExitCode(signal);
  } finally {
    progress?.stop();
    stop.dispose();
  }
}
