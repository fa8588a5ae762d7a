import { readFileSync } from "node:fs";
import { PACKAGE_JSON } from "../runtime-files.js";
import { relative } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import type { RunReport } from "../index.js";
import { loadEnvFile } from "./env-file.js";
import { describeConfig, findConfig, type FoundConfig } from "./find-config.js";
import { makeStyle } from "./style.js";

/** The library, loaded only by commands that need it: `--version` and `--help` stay fast. */
export const api = () => import("../index.js");

/** Exit codes: the contract with CI jobs (docs/cli.md#exit-codes). `pending`: `status` only. */
export const EXIT = { ok: 0, invalid: 1, failed: 2, internal: 3, pending: 4, interrupted: 130 } as const;

export const out = process.stdout;
export const err = process.stderr;

export const version = (JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { version: string }).version;

/** Flags every command that reads the config takes. */
export interface CommonFlags {
  config?: string;
  env?: string;
  envFile?: string;
  json?: boolean;
  verbose?: boolean;
  /** `migrate --quiet`: only what changed or failed. */
  quiet?: boolean;
}

export function positiveInt(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
    return n;
  };
}

/** `30`, `30s`, `500ms`, `2m` → milliseconds; a bare number counts seconds (like `psql`'s and dbmate's timeouts). */
export function duration(name: string) {
  return (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
    if (!match) throw new InvalidArgumentError(`${name} takes a duration: seconds (30), or with a unit (500ms, 30s, 2m)`);
    const ms = Number(match[1]) * ({ ms: 1, s: 1_000, m: 60_000 } as const)[(match[2] ?? "s") as "ms" | "s" | "m"];
    if (!(ms > 0)) throw new InvalidArgumentError(`${name} must be longer than 0`);
    return Math.round(ms);
  };
}

/** How long `--wait` without a value waits for a server (dbmate's default). */
export const DEFAULT_WAIT_MS = 60_000;

/** Flags of every command that connects to the databases. */
export interface ConnectionFlags {
  connectTimeout?: number;
  wait?: number | true;
}

export function connectionFlags(command: Command): Command {
  return command
    .option("--connect-timeout <duration>", "longest time to open one connection, e.g. 5s (default: connect_timeout_ms of each database, 10s)", duration("--connect-timeout"))
    .option("--wait [duration]", `wait for a server that is not up yet (refused, unknown host, starting), up to this long (default ${DEFAULT_WAIT_MS / 1000}s)`, duration("--wait"));
}

/** The API options the connection flags ask for. */
export function connectionOptions(flags: ConnectionFlags): { connectTimeoutMs?: number; waitMs?: number } {
  return {
    ...(flags.connectTimeout === undefined ? {} : { connectTimeoutMs: flags.connectTimeout }),
    ...(flags.wait === undefined ? {} : { waitMs: flags.wait === true ? DEFAULT_WAIT_MS : flags.wait }),
  };
}

export function common(command: Command): Command {
  return command
    .option("-c, --config <path>", "config file (default: $STAGECRAFT_CONFIG, else stagecraft.yml in this folder or the nearest parent, up to the repository root)")
    .option("--env <name>", "apply environments.<name> overrides")
    .option("--env-file <path>", "load variables from this file (default: .env beside the config, if present)")
    .option("--json", "print the machine-readable report on stdout, nothing else")
    .option("-v, --verbose", "print every step");
}

/** Which config and env file the command read (set by {@link prepare}). */
export interface Origin {
  config: FoundConfig;
  envFile: string | undefined;
}

let origin: Origin | undefined;

/** The config and env file {@link prepare} read, for headers and `-v`. */
export function loadedFrom(): Origin | undefined {
  return origin;
}

/**
 * Finds and loads the config (and its env file) the flags name. Says on stderr which config
 * it read when that is not `stagecraft.yml` of this folder — found in a parent folder or named
 * by STAGECRAFT_CONFIG — and, with `-v`, always (with the env file); stdout stays the report's.
 */
export async function prepare(flags: CommonFlags) {
  const found = findConfig(flags.config, process.env, process.cwd());
  const envFile = loadEnvFile(process.env, flags.envFile, found.path);
  origin = { config: found, envFile };
  if (flags.verbose === true || found.source === "env" || found.source === "parent") err.write(`${describeOrigin(origin)}\n`);
  const { loadConfig } = await api();
  return loadConfig(found.path, flags.env === undefined ? {} : { environment: flags.env });
}

/** The text plan's first line: which config and env file it read. */
export function planHeader(): { header?: string } {
  return origin === undefined ? {} : { header: describeOrigin(origin) };
}

/** `config ../stagecraft.yml (found in a parent folder), env file ../.env`. */
export function describeOrigin(o: Origin): string {
  const cwd = process.cwd();
  const envFile = o.envFile === undefined ? "no env file" : `env file ${relative(cwd, o.envFile).length < o.envFile.length ? relative(cwd, o.envFile) : o.envFile}`;
  return `config ${describeConfig(o.config, cwd)}, ${envFile}`;
}

/** Prints the report (text or JSON) and returns the exit code it calls for. */
export async function printReport(report: RunReport, flags: CommonFlags): Promise<number> {
  const { renderPlan, renderRunResult } = await import("./render.js");
  const style = makeStyle(out);
  const options = { verbose: flags.verbose === true, quiet: flags.quiet === true, ...planHeader() };
  if (flags.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
  else out.write(`${report.mode === "plan" ? renderPlan(report, style, options) : renderRunResult(report, style, options)}\n`);
  if (report.summary.cancelled > 0) return EXIT.interrupted;
  return failureCode(report) ?? EXIT.ok;
}

/**
 * The exit code of a report with failed databases, undefined when none failed. A database
 * whose config is wrong (an unset connection variable, a bad URL, a broken journal, found in
 * its worker) is invalid input, exit 1; any other failure — something went wrong in or with a
 * database — is exit 2 and wins over invalid input, since it needs a look at the database.
 */
export function failureCode(report: RunReport): number | undefined {
  const failed = report.databases.filter((db) => db.status === "failed");
  if (failed.length === 0) return undefined;
  return failed.every((db) => db.error?.kind === "invalid_config") ? EXIT.invalid : EXIT.failed;
}
