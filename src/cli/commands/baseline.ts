import type { Command } from "commander";
import { api, common, connectionFlags, connectionOptions, EXIT, err, positiveInt, prepare, out, type CommonFlags, type ConnectionFlags } from "../shared.js";
import { selectionFlags, selectionOptions, type SelectionFlags } from "../selection.js";
import { gracefulStop, signalExitCode } from "../signals.js";
import { makeStyle } from "../style.js";

interface BaselineFlags extends CommonFlags, SelectionFlags, ConnectionFlags {
  to: string;
  plan?: boolean;
  concurrency?: number;
  failFast?: boolean;
}

/** `stagecraft migrate baseline --to ID`: adopt databases migrated by other means. */
export function baselineCommand(migrate: Command): Command {
  return selectionFlags(connectionFlags(common(migrate.command("baseline")
    .description("record every migration up to and including --to as applied, without running it, on every selected database (adopting databases migrated by other means)"))
    .requiredOption("--to <id>", "the last migration the databases already have, as the plan lists it")
    .option("--plan", "show what would be marked applied; change nothing")
    .option("--concurrency <n>", "databases at once", positiveInt("--concurrency", 1))
    .option("--fail-fast", "start no new database after the first failure")))
    .action(async (flags: BaselineFlags) => {
      process.exitCode = await baseline(flags);
    });
}

async function baseline(flags: BaselineFlags): Promise<number> {
  const stop = gracefulStop((text) => err.write(`\n${text}\n`));
  try {
    const config = await prepare(flags);
    const { baselineAll } = await api();
    const report = await baselineAll(config, {
      to: flags.to,
      ...(flags.plan ? { plan: true } : {}),
      ...selectionOptions(flags),
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      ...(flags.failFast ? { failFast: true } : {}),
      ...connectionOptions(flags),
      signal: stop.signal,
    });
    if (flags.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
    else out.write(`${(await import("../render-baseline.js")).renderBaseline(report, flags.to, makeStyle(out), flags.verbose === true)}\n`);
    const signal = stop.received();
    if (signal !== undefined) return signalExitCode(signal);
    if (report.summary.cancelled > 0) return EXIT.interrupted;
    return report.ok ? EXIT.ok : EXIT.failed;
  } finally {
    stop.dispose();
  }
}
