import { relative } from "node:path";
import { CommanderError, type Command } from "commander";
import { api, common, EXIT, out, prepare, type CommonFlags } from "../shared.js";

interface NewFlags extends CommonFlags {
  database: string;
  down?: boolean;
}

/** `stagecraft new NAME -d DATABASE`: the next migration file of that database's folder. */
export function newCommand(program: Command): Command {
  return common(program.command("new").description("create the next migration file in a database's folder, in its engine's format (raw .sql, knex module)")
    .argument("<name>", "what the migration does, e.g. add_email_index (words are joined with _)"))
    .requiredOption("-d, --database <name>", "the database (or fleet entry) whose migrations folder gets the file")
    .option("--down", "raw: also create the .down.sql that reverts it (knex modules always have down)")
    .action(async (name: string, flags: NewFlags) => {
      const config = await prepare(flags);
      const { select } = await import("../../runner/select.js");
      const selected = select(config, { databases: [flags.database] });
      const folders = [...new Set(selected.map((db) => `${db.engine}\0${db.migrationPath}`))];
      if (folders.length > 1) {
        const list = folders.map((f) => f.replace("\0", " ")).join(", ");
        throw new CommanderError(EXIT.invalid, "stagecraft.usage", `error: --database ${flags.database} selects ${selected.length} databases with different migration folders (${list}); name one database`);
      }
      const db = selected[0]!;
      const { get } = await api();
      const engine = get(db.engine);
      if (engine.newMigration === undefined) {
        throw new CommanderError(EXIT.invalid, "stagecraft.usage", `error: engine ${db.engine} (database ${db.name}) cannot create migrations; create the file in ${db.migrationPath} with the engine's own tool`);
      }
      const created = await engine.newMigration.call(engine, {
        config: db.engineConfig,
        migrationPath: db.migrationPath,
        workDir: config.dir,
        database: db.fleet ?? db.name,
        name,
        down: flags.down === true,
        now: new Date(),
      }).catch((error: unknown) => {
        // Refusals (Prisma, drizzle) and name problems are the user's input: exit 1, with the hint.
        const { kind, message, context } = error as { kind?: string; message?: string; context?: { hint?: string } };
        const hint = context?.hint;
        if (kind !== "invalid_config") throw error;
        throw new CommanderError(EXIT.invalid, "stagecraft.usage", `error: ${message}${hint ? `\n  hint: ${hint}` : ""}`);
      });
      if (flags.json) out.write(`${JSON.stringify({ database: db.fleet ?? db.name, engine: db.engine, id: created.id, files: created.files }, null, 2)}\n`);
      else for (const file of created.files) out.write(`created ${relative(process.cwd(), file) || file}\n`);
      process.exitCode = EXIT.ok;
    });
}
