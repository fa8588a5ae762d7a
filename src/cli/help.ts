import type { Command } from "commander";

/** What every exit code means, across commands (docs/cli.md#exit-codes). */
const MEANING: Record<number, string> = {
  0: "success",
  1: "invalid input: flags, config, env file, or a database's connection settings",
  2: "a database failed (a migration, a connection, a lock), or is blocked or drifted",
  3: "internal error (a bug: please report it)",
  4: "migrations are pending and nothing is wrong",
  5: "more lint warnings than --max-warnings",
  130: "stopped by SIGINT (Ctrl-C); 143: stopped by SIGTERM",
};

/** Per command: examples and the exit codes it can end with. `migrate resolve` is keyed by its full name. */
export const COMMAND_HELP: Record<string, { examples: string[]; exits: number[]; lint?: true }> = {
  migrate: {
    examples: [
      "stagecraft migrate --plan                 # what would run, per database; changes nothing",
      "stagecraft migrate                        # before the deploy: pending migrations of the pre_deploy databases",
      "stagecraft migrate --strategy post_deploy # after the deploy",
      "stagecraft migrate -d 'tenant_0*' --concurrency 8",
      "stagecraft migrate --plan --down --steps 1 -d accounts   # what a revert would do",
      "stagecraft migrate --shard auto/4 --run-label v1.4.0     # one shard of a Kubernetes Indexed Job",
      "stagecraft migrate --json > report.json   # the run report for a pipeline",
    ],
    exits: [0, 1, 2, 3, 130],
  },
  "migrate baseline": {
    examples: [
      "stagecraft migrate baseline --to 004_orders --plan   # what would be marked applied",
      "stagecraft migrate baseline --to 004_orders -d legacy_db",
    ],
    exits: [0, 1, 2, 3, 130],
  },
  "migrate resolve": {
    examples: [
      "stagecraft migrate resolve -d billing --applied 003_backfill      # you completed it by hand",
      "stagecraft migrate resolve -d billing --rolled-back 003_backfill  # it left nothing; retry it",
    ],
    exits: [0, 1, 2, 3],
  },
  status: {
    examples: [
      "stagecraft status                         # CI gate: 0 up to date, 4 pending, 2 failed or drifted",
      "stagecraft status --tag eu --json         # the plan report of the selection",
      "stagecraft status || [ $? -eq 4 ]         # fail the job only when something is wrong",
    ],
    exits: [0, 1, 2, 3, 4, 130],
  },
  validate: {
    examples: ["stagecraft validate", "stagecraft validate --connect --json -d 'tenant_*'   # also reach every database"],
    exits: [0, 1, 2, 3],
  },
  new: {
    examples: ["stagecraft new add_email_index -d accounts", "stagecraft new \"backfill names\" -d tenants --down"],
    exits: [0, 1, 3],
  },
  runs: {
    examples: ["stagecraft runs", "stagecraft runs --json --limit 5"],
    exits: [0, 1, 3],
  },
  "runs show": {
    examples: ["stagecraft runs show v1.4.0            # every database of the release, across shards", "stagecraft runs show v1.4.0 --json"],
    exits: [0, 1, 3],
  },
  engines: {
    examples: ["stagecraft engines --json"],
    exits: [0, 1, 3],
  },
  lint: {
    examples: ["stagecraft lint                           # the pending migrations of every database", "stagecraft lint --all --dialect postgres --max-warnings 0"],
    exits: [0, 1, 2, 3, 5],
    lint: true,
  },
};

function exitLines(codes: readonly number[], lint: boolean): string[] {
  return codes.map((code) => {
    if (lint && code === 1) return "  1    lint errors, or invalid input";
    if (lint && code === 2) return "  2    a database could not be linted";
    return `  ${String(code).padEnd(4)} ${MEANING[code]}`;
  });
}

/** Adds examples and exit codes to the help of each command (and lists every command, `migrate resolve` included, at the top). */
export function addHelp(program: Command): void {
  const byName = (parent: Command, name: string): Command | undefined => parent.commands.find((c) => c.name() === name);
  for (const [name, help] of Object.entries(COMMAND_HELP)) {
    const [first, second] = name.split(" ");
    const parent = byName(program, first!);
    const command = second === undefined ? parent : parent && byName(parent, second);
    if (command === undefined) continue;
    command.addHelpText("after", `\nExamples:\n${help.examples.map((e) => `  ${e}`).join("\n")}\n\nExit codes:\n${exitLines(help.exits, help.lint === true).join("\n")}\n`);
  }
  program.addHelpText("after", [
    "",
    "All commands (stagecraft COMMAND --help for each):",
    ...program.commands.flatMap((c) => (c.name() === "help" ? [] : [`  ${c.name()}`, ...c.commands.map((sub) => `  ${c.name()} ${sub.name()}`)])),
    "",
    "Exit codes:",
    ...exitLines([0, 1, 2, 3, 4, 5, 130], false),
    "",
    "Docs: docs/cli.md (the contract: commands, flags and exit codes).",
    "",
  ].join("\n"));
}
