#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { baselineCommand } from "./commands/baseline.js";
import { enginesCommand } from "./commands/engines.js";
import { lintCommand } from "./commands/lint.js";
import { migrateCommand } from "./commands/migrate.js";
import { newCommand } from "./commands/new.js";
import { resolveCommand } from "./commands/resolve.js";
import { runsCommand } from "./commands/runs.js";
import { statusCommand } from "./commands/status.js";
import { validateCommand } from "./commands/validate.js";
import { addHelp } from "./help.js";
import { EXIT, err, out, version } from "./shared.js";

export { EXIT } from "./shared.js";

function buildProgram(): Command {
  const program = new Command("stagecraft")
    .description("Migrate many databases at once.")
    .version(version, "-V, --version")
    // An invalid flag gets one line and a pointer, not the whole help page.
    .showHelpAfterError("(add --help for usage, examples and exit codes)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });

  // `migrate resolve -d X`: options after a subcommand's name belong to the subcommand.
  program.enablePositionalOptions();
  const migrate = migrateCommand(program);
  resolveCommand(migrate);
  baselineCommand(migrate);
  statusCommand(program);
  validateCommand(program);
  enginesCommand(program);
  lintCommand(program);
  runsCommand(program);
  newCommand(program);
  addHelp(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return EXIT.ok;
      if (error.code.startsWith("stagecraft.")) err.write(`${error.message}\n`);
      return EXIT.invalid;
    }
    // A StagecraftError (ConfigError included) of kind invalid_config: the user's input is wrong.
    if ((error as { kind?: unknown })?.kind === "invalid_config") {
      err.write(`${(error as Error).message}\n`);
      return EXIT.invalid;
    }
    err.write(`stagecraft: internal error: ${(error as Error)?.message ?? String(error)}\n`);
    return EXIT.internal;
  }
}

// Anything that escapes (a plugin's stray timer, a bug) is an internal error: a message, exit 3, no stack trace.
const internal = (error: unknown): void => {
  err.write(`stagecraft: internal error: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(EXIT.internal);
};
process.on("uncaughtException", internal);
// A reader that went away (`stagecraft validate | head -1`, `| true`) is not an error of
// stagecraft: the rest of the output is dropped, and the exit code is the command's own.
for (const stream of [out, err]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") internal(error);
  });
}
process.on("unhandledRejection", internal);
process.exitCode = await main(process.argv.slice(2));
// A plugin's stray timer or socket (one that never finished loading, say) must not keep a
// finished command alive: exit once the output is written.
for (const stream of [out, err]) if (stream.writableLength > 0) await new Promise((resolve) => stream.write("", resolve));
process.exit();
