import type { Command } from "commander";
import { common, EXIT, out, prepare, type CommonFlags } from "../shared.js";

/** `stagecraft validate`: check the config. */
export function validateCommand(program: Command): Command {
  return common(program.command("validate").description("check the config (and that every database's connection variable is set)"))
    .action(async (flags: CommonFlags) => {
      const config = await prepare(flags);
      const unset = config.databases.filter((db) => !process.env[db.connectionEnv]);
      if (flags.json) {
        out.write(`${JSON.stringify({ ok: true, file: config.file, databases: config.databases.map((db) => ({ name: db.name, engine: db.engine, strategy: db.strategy, connection_env: db.connectionEnv, connection_env_set: !unset.includes(db) })) }, null, 2)}\n`);
      } else {
        out.write(`${config.file}: valid, ${config.databases.length} database${config.databases.length === 1 ? "" : "s"}\n`);
        for (const db of config.databases) out.write(`  ${db.name}: ${db.engine}, ${db.strategy}${unset.includes(db) ? ` (warning: ${db.connectionEnv} is not set)` : ""}\n`);
      }
      process.exitCode = EXIT.ok;
    });
}
