import { InvalidArgumentError, type Command } from "commander";
import type { Strategy } from "../config/schema.js";

/** The selection flags every command that works on databases takes. */
export interface SelectionFlags {
  database?: string[];
  tag?: string[];
  exclude?: string[];
  /** `--strategy`, on the commands that take it. */
  strategy?: Strategy[];
}

const STRATEGY_NAMES: readonly Strategy[] = ["pre_deploy", "post_deploy", "manual"];

/**
 * What a command that runs migrations selects when neither `--strategy` nor `--database` is
 * given: the pre-deploy phase only. A deploy pipeline runs `migrate` before the new code ships
 * (changes the old code tolerates) and `migrate --strategy post_deploy` after it (dropping
 * what the old code still read); running both at once would break the old code mid-deploy.
 * `manual` databases run only when named or asked for.
 */
export const CLI_DEFAULT_STRATEGIES: readonly Strategy[] = ["pre_deploy"];

const collectStrategy = (value: string, previous: Strategy[] = []): Strategy[] => {
  const names = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const name of names) if (!(STRATEGY_NAMES as readonly string[]).includes(name)) throw new InvalidArgumentError(`--strategy must be one of ${STRATEGY_NAMES.join(", ")} (got "${name}")`);
  return [...previous, ...(names as Strategy[])];
};

/** `--database` help of the commands that run a phase (`migrate`, `status`): their default is `--strategy`'s. */
export const PHASE_DATABASE_HELP = "only databases matching NAME: a name, a glob pattern (quote it: 'tenant_0*') or a fleet entry, whatever their strategy; repeatable (default: the databases --strategy selects)";

/** Adds `--strategy` (repeatable, or a comma list) to `command`. */
export function strategyFlag(command: Command): Command {
  return command.option("--strategy <strategy>", `only databases with this strategy: ${STRATEGY_NAMES.join(", ")}; repeatable (default: pre_deploy, or with --database the databases named, any strategy)`, collectStrategy);
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Adds `--database`, `--tag` and `--exclude` to `command`. Patterns are shell globs
 * (`-d 'tenant_0*'`, quoted so the shell leaves them alone); a fleet entry's name selects all
 * its members.
 */
export function selectionFlags(command: Command, databaseHelp = "only databases matching NAME: a name, a glob pattern (quote it: 'tenant_0*') or a fleet entry; repeatable (default: every database whose strategy is not manual)"): Command {
  return command
    .option("-d, --database <name>", databaseHelp, collect)
    .option("--tag <tags>", "only databases with this tag; repeat to require several (AND), or give a comma list to accept any of them (OR): --tag eu,us --tag canary", collect)
    .option("--exclude <name>", "leave out databases matching NAME (a name, glob pattern or fleet entry); repeatable", collect);
}

/** The API's selection options for the flags given. */
export function selectionOptions(flags: SelectionFlags): { databases?: string[]; tags?: string[]; exclude?: string[]; strategies?: Strategy[]; strategyFilter?: Strategy[] } {
  return {
    ...(flags.strategy ? { strategies: [...new Set(flags.strategy)], strategyFilter: [...new Set(flags.strategy)] } : {}),
    ...(flags.database ? { databases: flags.database } : {}),
    ...(flags.tag ? { tags: flags.tag } : {}),
    ...(flags.exclude ? { exclude: flags.exclude } : {}),
  };
}

/**
 * {@link selectionOptions} for a command that runs migrations (`migrate`, `status`): without
 * `--strategy` or `--database`, only {@link CLI_DEFAULT_STRATEGIES}.
 */
export function phaseSelectionOptions(flags: SelectionFlags): ReturnType<typeof selectionOptions> {
  const options = selectionOptions(flags);
  return flags.strategy === undefined && flags.database === undefined ? { ...options, strategies: [...CLI_DEFAULT_STRATEGIES] } : options;
}
