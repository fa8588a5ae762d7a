import type { Command } from "commander";

/** The selection flags every command that works on databases takes. */
export interface SelectionFlags {
  database?: string[];
  tag?: string[];
  exclude?: string[];
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
export function selectionOptions(flags: SelectionFlags): { databases?: string[]; tags?: string[]; exclude?: string[] } {
  return {
    ...(flags.database ? { databases: flags.database } : {}),
    ...(flags.tag ? { tags: flags.tag } : {}),
    ...(flags.exclude ? { exclude: flags.exclude } : {}),
  };
}
