import type { Command } from "commander";
import { common, EXIT, out, prepare, type CommonFlags } from "../shared.js";
import { selectionFlags, selectionOptions, type SelectionFlags } from "../selection.js";

/** `stagecraft validate`: check the config, expanding fleets. */
export function validateCommand(program: Command): Command {
  return selectionFlags(common(program.command("validate").description("check the config, expand fleets (querying catalogs), and check that every database's connection variable is set")), "list only databases matching NAME (a name, glob pattern or fleet entry); repeatable")
    .action(async (flags: CommonFlags & SelectionFlags) => {
      const config = await prepare(flags);
      const { describeValidation, renderValidation } = await import("../render-validate.js");
      const validation = await describeValidation(config, selectionOptions(flags), process.env);
      out.write(flags.json ? `${JSON.stringify(validation, null, 2)}\n` : `${renderValidation(validation, flags.verbose === true)}\n`);
      process.exitCode = EXIT.ok;
    });
}
