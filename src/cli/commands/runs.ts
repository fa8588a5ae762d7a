import type { Command } from "commander";
import { common, EXIT, out, positiveInt, prepare, type CommonFlags } from "../shared.js";
import { selectionFlags, selectionOptions, type SelectionFlags } from "../selection.js";
import { refuse } from "../ledger-flags.js";

/** Labels `stagecraft runs` lists unless `--limit` says otherwise. */
export const DEFAULT_RUNS_LIMIT = 20;

/** `stagecraft runs` and `stagecraft runs show RUN|LABEL`: what the ledger recorded (docs/ledger.md). */
export function runsCommand(program: Command): Command {
  const runs = common(program.command("runs").description("list recent runs recorded in the ledger, grouped by --run-label"))
    .enablePositionalOptions()
    .option("--limit <n>", `at most N labels (default ${DEFAULT_RUNS_LIMIT})`, positiveInt("--limit", 1))
    .action(async (flags: CommonFlags & { limit?: number }) => {
      process.exitCode = await withReader(flags, async (reader) => {
        const { renderRunList } = await import("../render-runs.js");
        const labels = reader ? await reader.recentLabels(flags.limit ?? DEFAULT_RUNS_LIMIT) : [];
        const list = [];
        for (const label of labels) {
          const run = await reader!.logicalRun(label);
          list.push({ label, runs: run.runs, counts: run.counts, databases: run.databases.length });
        }
        out.write(flags.json ? `${JSON.stringify({ runs: list }, null, 2)}\n` : `${renderRunList(list)}\n`);
        return EXIT.ok;
      });
    });
  selectionFlags(common(runs.command("show").description("per-database outcome of one run ID or label, across all its shards and reruns; databases of the selection that no run reported are missing"))
    .argument("<run>", "a run ID or a --run-label"))
    .action(async (ref: string, flags: CommonFlags & SelectionFlags) => {
      process.exitCode = await withReader(flags, async (reader, _ledger, names) => {
        const { renderRunShow } = await import("../render-runs.js");
        if (reader === undefined) throw refuse(`the ledger has no run or label "${ref}": it records no run yet`);
        const label = await reader.resolveLabel(ref);
        const run = await reader.logicalRun(label, names(flags));
        out.write(flags.json ? `${JSON.stringify(run, null, 2)}\n` : `${renderRunShow(run, flags.verbose === true)}\n`);
        return EXIT.ok;
      });
    });
  return runs;
}

type Reader = import("../../ledger/reader.js").LedgerReader;

/** Opens the config's ledger, runs `fn` with a reader, and closes it; ledger problems are exit 1. */
async function withReader(flags: CommonFlags, fn: (reader: Reader | undefined, ledger: string, names: (selection: SelectionFlags) => string[]) => Promise<number>): Promise<number> {
  const config = await prepare(flags);
  const { openLedger } = await import("../../ledger/open-ledger.js");
  const { LedgerReader } = await import("../../ledger/reader.js");
  const { select } = await import("../../runner/select.js");
  const { isStagecraftError } = await import("../../errors.js");
  let ledger;
  try {
    ledger = await openLedger(config, process.env, { create: false });
  } catch (error) {
    throw refuse(isStagecraftError(error) ? `${error.message}${error.context.hint ? `\n  hint: ${error.context.hint}` : ""}` : String(error));
  }
  try {
    return await fn(ledger.empty ? undefined : new LedgerReader(ledger.driver, ledger.tables), config.ledger!.connectionEnv, (selection) => select(config, selectionOptions(selection)).map((db) => db.name));
  } catch (error) {
    if (isStagecraftError(error) && error.kind === "invalid_config") throw refuse(`${error.message}${error.context.hint ? `\n  hint: ${error.context.hint}` : ""}`);
    throw error;
  } finally {
    await ledger.driver.close();
  }
}
