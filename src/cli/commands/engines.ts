import { hasConfig } from "../find-config.js";
import type { Command } from "commander";
import { api, common, EXIT, out, prepare, type CommonFlags } from "../shared.js";

/** `stagecraft engines`: list registered engine IDs. */
export function enginesCommand(program: Command): Command {
  return common(program.command("engines").description("list the registered migration engines (built-in and from plugins:)"))
    .action(async (flags: CommonFlags) => {
      // Plugins of the config (if there is one) register their engines too.
      if (flags.config !== undefined || (process.env.STAGECRAFT_CONFIG ?? "") !== "" || hasConfig(process.cwd())) await prepare(flags);
      const list = (await api()).ids();
      out.write(flags.json ? `${JSON.stringify(list)}\n` : `${list.join("\n")}\n`);
      process.exitCode = EXIT.ok;
    });
}
