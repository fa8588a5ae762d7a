import type { Command } from "commander";
import type { RunReport } from "../../index.js";
import { api, common, connectionFlags, connectionOptions, EXIT, failureCode, out, planHeader, prepare, type CommonFlags, type ConnectionFlags } from "../shared.js";
import { gracefulStop, signalExitCode } from "../signals.js";
import { makeStyle } from "../style.js";
import { PHASE_DATABASE_HELP, phaseSelectionOptions, selectionFlags, strategyFlag, type SelectionFlags } from "../selection.js";

interface StatusFlags extends CommonFlags, SelectionFlags, ConnectionFlags {
  lint?: boolean;
}

/**
 * `stagecraft status`: the CI gate. Reads every selected database's state (a plan: nothing
 * changes) and answers in the exit code: 0 up to date, 4 migrations pending and nothing wrong,
 * 2 a database failed, is blocked or drifted, 1 invalid input.
 */
export function statusCommand(program: Command): Command {
  return strategyFlag(selectionFlags(connectionFlags(common(program.command("status").description("check whether the selected databases are up to date (exit 0), have pending migrations (exit 4) or are failed, blocked or drifted (exit 2); changes nothing"))), PHASE_DATABASE_HELP))
    .option("--no-lint", "do not lint pending migrations (the plan lists no findings)")
    .action(async (flags: StatusFlags) => {
      process.exitCode = await status(flags);
    });
}

/** The exit code of a status report. */
export function statusCode(report: RunReport): number {
  if (report.summary.cancelled > 0) return EXIT.interrupted;
  return failureCode(report) ?? (report.databases.some((db) => db.migrations.some((m) => !m.applied)) ? EXIT.pending : EXIT.ok);
}

async function status(flags: StatusFlags): Promise<number> {
  const stop = gracefulStop((text) => void process.stderr.write(`\n${text}\n`));
  try {
    const config = await prepare(flags);
    const { planAll } = await api();
    const report = await planAll(config, {
      ...phaseSelectionOptions(flags),
      ...(flags.lint === false ? { lint: false } : {}),
      ...connectionOptions(flags),
      signal: stop.signal,
    });
    const code = statusCode(report);
    if (flags.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const { renderPlan } = await import("../render.js");
      const style = makeStyle(out);
      out.write(`${renderPlan(report, style, { verbose: flags.verbose === true, ...planHeader() })}\n${verdict(report, code, style)}\n`);
    }
    const signal = stop.received();
    return signal === undefined ? code : signalExitCode(signal);
  } finally {
    stop.dispose();
  }
}

/** The last line: what the exit code means for this fleet. */
function verdict(report: RunReport, code: number, style: ReturnType<typeof makeStyle>): string {
  const { total } = report.summary;
  const dbs = (n: number): string => `${n} database${n === 1 ? "" : "s"}`;
  if (code === EXIT.ok) return style.green(`status: up to date (${dbs(total)})`);
  if (code === EXIT.pending) {
    const pending = report.databases.filter((db) => db.migrations.some((m) => !m.applied));
    const migrations = pending.reduce((sum, db) => sum + db.migrations.filter((m) => !m.applied).length, 0);
    return style.yellow(`status: pending — ${pending.length} of ${dbs(total)} with ${migrations} migration${migrations === 1 ? "" : "s"} to apply`);
  }
  if (code === EXIT.interrupted) return style.yellow("status: stopped");
  const failed = report.databases.filter((db) => db.status === "failed");
  const named = failed.slice(0, 5).map((db) => `${db.name}: ${db.error?.kind}`).join(", ") + (failed.length > 5 ? ", …" : "");
  return style.red(`status: ${code === EXIT.invalid ? "invalid config" : "failed"} — ${failed.length} of ${dbs(total)} (${named})`);
}
