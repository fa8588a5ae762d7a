import { CommanderError, Option, type Command } from "commander";
import { api, common, connectionFlags, connectionOptions, EXIT, prepare, printReport, type CommonFlags, type ConnectionFlags } from "../shared.js";

/** `stagecraft migrate resolve`: settle a failed non-transactional migration. */
export function resolveCommand(migrate: Command): Command {
  return connectionFlags(common(migrate.command("resolve").description("after a failed non-transactional migration: record it as applied, or forget the attempt"))
    .requiredOption("-d, --database <name>", "the database"))
    .addOption(new Option("--applied <id>", "record migration <id> as applied (it is complete)").conflicts("rolledBack"))
    .addOption(new Option("--rolled-back <id>", "forget the failed attempt of <id> (it left nothing behind); the next run retries it"))
    .action(async (flags: CommonFlags & ConnectionFlags & { database: string; applied?: string; rolledBack?: string }) => {
      const migration = flags.applied ?? flags.rolledBack;
      if (migration === undefined) throw new CommanderError(EXIT.invalid, "stagecraft.usage", "error: pass --applied <id> or --rolled-back <id>");
      const config = await prepare(flags);
      const { resolveMigration } = await api();
      const report = await resolveMigration(config, { database: flags.database, migration, action: flags.applied ? "applied" : "rolled-back", ...connectionOptions(flags) });
      process.exitCode = await printReport(report, flags);
    });
}
