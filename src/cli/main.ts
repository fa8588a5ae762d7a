#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { RunReport } from "../index.js";
import { loadEnvFile } from "./env-file.js";
import { makeStyle } from "./style.js";

/** The library, loaded only by commands that need it: `--version` and `--help` stay fast. */
const api = () => import("../index.js");

/** Exit codes: the contract with CI jobs. */
export const EXIT = { ok: 0, invalid: 1, failed: 2, internal: 3, interrupted: 130 } as const;

interface CommonFlags {
  config: string;
  env?: string;
  envFile?: string;
  json?: boolean;
  verbose?: boolean;
}

interface MigrateFlags extends CommonFlags {
  plan?: boolean;
  database?: string[];
  concurrency?: number;
  steps?: number;
  down?: boolean;
  failFast?: boolean;
}

const version = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
const out = process.stdout;
const err = process.stderr;

function positiveInt(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
    return n;
  };
}

function common(command: Command): Command {
  return command
    .option("-c, --config <path>", "config file", "stagecraft.yml")
    .option("--env <name>", "apply environments.<name> overrides")
    .option("--env-file <path>", "load variables from this file (default: .env beside the config, if present)")
    .option("--json", "print the machine-readable report on stdout, nothing else")
    .option("-v, --verbose", "print every step");
}

async function prepare(flags: CommonFlags) {
  const configPath = resolve(flags.config);
  loadEnvFile(process.env, flags.envFile, configPath);
  const { loadConfig } = await api();
  return loadConfig(configPath, flags.env === undefined ? {} : { environment: flags.env });
}

async function printReport(report: RunReport, flags: CommonFlags): Promise<number> {
  const { renderPlan, renderRunResult } = await import("./render.js");
  const style = makeStyle(out);
  if (flags.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
  else out.write(`${report.mode === "plan" ? renderPlan(report, style) : renderRunResult(report, style)}\n`);
  if (report.summary.cancelled > 0) return EXIT.interrupted;
  return report.ok ? EXIT.ok : EXIT.failed;
}

async function migrate(flags: MigrateFlags): Promise<number> {
  if (flags.plan && flags.down) throw new CommanderError(EXIT.invalid, "stagecraft.conflict", "error: --plan cannot be combined with --down (a plan never changes anything)");
  if (flags.plan && flags.steps !== undefined) throw new CommanderError(EXIT.invalid, "stagecraft.conflict", "error: --plan cannot be combined with --steps");
  if (flags.down && flags.steps === undefined) throw new CommanderError(EXIT.invalid, "stagecraft.conflict", "error: --down needs --steps N (how many migrations to revert per database)");
  const config = await prepare(flags);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    err.write("\nstopping: running migrations finish, nothing new starts (Ctrl-C again to quit at once)\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const { planAll, runAll } = await api();
  const { progressListeners } = await import("./progress.js");
  const progress = flags.json || flags.plan ? undefined : progressListeners(err, makeStyle(err), flags.verbose === true);
  try {
    const options = {
      ...(flags.database ? { databases: flags.database } : {}),
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      ...(flags.failFast ? { failFast: true } : {}),
      ...(progress ? { on: progress.on } : {}),
      signal: controller.signal,
    };
    const report = flags.plan
      ? await planAll(config, options)
      : await runAll(config, { ...options, direction: flags.down ? "down" : "up", steps: flags.steps ?? 0 });
    progress?.stop();
    return await printReport(report, flags);
  } finally {
    progress?.stop();
    process.off("SIGINT", onSigint);
  }
}

function buildProgram(): Command {
  const program = new Command("stagecraft")
    .description("Migrate many databases at once.")
    .version(version, "-V, --version")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });

  // `migrate resolve -d X`: options after a subcommand's name belong to the subcommand.
  program.enablePositionalOptions();
  const migrateCmd = common(program.command("migrate").description("apply pending migrations of the selected databases (or show the plan)"))
    .enablePositionalOptions()
    .option("--plan", "show the plan; change nothing")
    .option("-d, --database <name>", "only this database (repeatable; default: every database whose strategy is not manual)", (v: string, acc: string[] = []) => [...acc, v])
    .option("--concurrency <n>", "databases at once", positiveInt("--concurrency", 1))
    .option("--steps <n>", "at most N migrations per database (0 = all pending)", positiveInt("--steps", 0))
    .option("--down", "revert the last --steps migrations of each database")
    .option("--fail-fast", "start no new database after the first failure")
    .action(async (flags: MigrateFlags) => {
      process.exitCode = await migrate(flags);
    });

  common(migrateCmd.command("resolve").description("after a failed non-transactional migration: record it as applied, or forget the attempt"))
    .requiredOption("-d, --database <name>", "the database")
    .addOption(new Option("--applied <id>", "record migration <id> as applied (it is complete)").conflicts("rolledBack"))
    .addOption(new Option("--rolled-back <id>", "forget the failed attempt of <id> (it left nothing behind); the next run retries it"))
    .action(async (flags: CommonFlags & { database: string; applied?: string; rolledBack?: string }) => {
      const migration = flags.applied ?? flags.rolledBack;
      if (migration === undefined) throw new CommanderError(EXIT.invalid, "stagecraft.usage", "error: pass --applied <id> or --rolled-back <id>");
      const config = await prepare(flags);
      const { resolveMigration } = await api();
      const report = await resolveMigration(config, { database: flags.database, migration, action: flags.applied ? "applied" : "rolled-back" });
      process.exitCode = await printReport(report, flags);
    });

  common(program.command("validate").description("check the config (and that every database's connection variable is set)"))
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

  common(program.command("engines").description("list the registered migration engines (built-in and from plugins:)"))
    .action(async (flags: CommonFlags) => {
      // Plugins of the config (if there is one) register their engines too.
      if (flags.config !== "stagecraft.yml" || existsSync(resolve(flags.config))) await prepare(flags);
      const list = (await api()).ids();
      out.write(flags.json ? `${JSON.stringify(list)}\n` : `${list.join("\n")}\n`);
      process.exitCode = EXIT.ok;
    });
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
process.on("unhandledRejection", internal);
process.exitCode = await main(process.argv.slice(2));
