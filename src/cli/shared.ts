import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import type { RunReport } from "../index.js";
import { loadEnvFile } from "./env-file.js";
import { makeStyle } from "./style.js";

/** The library, loaded only by commands that need it: `--version` and `--help` stay fast. */
export const api = () => import("../index.js");

/** Exit codes: the contract with CI jobs. */
export const EXIT = { ok: 0, invalid: 1, failed: 2, internal: 3, interrupted: 130 } as const;

export const out = process.stdout;
export const err = process.stderr;

export const version = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Flags every command that reads the config takes. */
export interface CommonFlags {
  config: string;
  env?: string;
  envFile?: string;
  json?: boolean;
  verbose?: boolean;
}

export function positiveInt(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
    return n;
  };
}

export function common(command: Command): Command {
  return command
    .option("-c, --config <path>", "config file", "stagecraft.yml")
    .option("--env <name>", "apply environments.<name> overrides")
    .option("--env-file <path>", "load variables from this file (default: .env beside the config, if present)")
    .option("--json", "print the machine-readable report on stdout, nothing else")
    .option("-v, --verbose", "print every step");
}

/** Loads the env file and the config the flags name. */
export async function prepare(flags: CommonFlags) {
  const configPath = resolve(flags.config);
  loadEnvFile(process.env, flags.envFile, configPath);
  const { loadConfig } = await api();
  return loadConfig(configPath, flags.env === undefined ? {} : { environment: flags.env });
}

/** Prints the report (text or JSON) and returns the exit code it calls for. */
export async function printReport(report: RunReport, flags: CommonFlags): Promise<number> {
  const { renderPlan, renderRunResult } = await import("./render.js");
  const style = makeStyle(out);
  if (flags.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
  else out.write(`${report.mode === "plan" ? renderPlan(report, style, { verbose: flags.verbose === true }) : renderRunResult(report, style, { verbose: flags.verbose === true })}\n`);
  if (report.summary.cancelled > 0) return EXIT.interrupted;
  return report.ok ? EXIT.ok : EXIT.failed;
}
