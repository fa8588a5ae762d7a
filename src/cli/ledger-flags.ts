import { CommanderError, type Command } from "commander";
import { EXIT } from "./shared.js";

/** The flags of `migrate` that shard a fleet, record it in the ledger, rerun failures and roll out in waves (docs/ledger.md). */
export interface LedgerFlags {
  shard?: string;
  runLabel?: string;
  ledgerOptional?: boolean;
  onlyFailed?: string | true;
  rollout?: boolean;
  wave?: string;
}

export function ledgerFlags(command: Command): Command {
  return command
    .option("--shard <K/N>", "only shard K of N of the selected databases, K from 0 (0/4 … 3/4); auto/N takes K from JOB_COMPLETION_INDEX (default: $STAGECRAFT_SHARD)")
    .option("--run-label <label>", "record the run in the ledger under this label, e.g. a release tag: shards with the same label form one run")
    .option("--ledger-optional", "when the ledger cannot be reached, warn and migrate without recording the run")
    .option("--only-failed [run]", "only databases whose last outcome in this run ID or label (default: the latest) was failed, cancelled, skipped, unfinished or missing")
    .option("--rollout", "run the rollout: section's waves in order, stopping by its rule")
    .option("--wave <name>", "run one wave of the rollout: section (with a ledger: only once earlier waves of --run-label succeeded)");
}

/** Exit 1 with `message`: the input is wrong, and nothing was touched. */
export function refuse(message: string): CommanderError {
  return new CommanderError(EXIT.invalid, "stagecraft.ledger", `error: ${message}`);
}

/** Flag combinations that make no sense, before anything is loaded. */
export function ledgerFlagsProblem(flags: LedgerFlags & { plan?: boolean; down?: boolean }): CommanderError | undefined {
  if (flags.rollout && flags.wave !== undefined) return refuse("--rollout runs every wave; --wave runs one: give one of them");
  if (flags.rollout && flags.plan) return refuse("--rollout cannot be combined with --plan (plan one wave with --wave NAME --plan)");
  if ((flags.rollout || flags.wave !== undefined) && flags.down) return refuse("--rollout and --wave apply migrations; they cannot be combined with --down");
  return undefined;
}
