import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { checkCliReport } from "./report-schema.js";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
/** The `stagecraft` command as npm links it: the sh launcher that starts Node with `--` before main.js. */
export const BIN = fileURLToPath(new URL("../../bin/stagecraft.js", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `stagecraft …` through the launcher users run (bin/stagecraft.js), with only PATH and
 * `env` in its environment. The launcher execs Node, so the child's pid and signals are Node's.
 */
export function startCli(args: string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(BIN, args, { cwd, env: { PATH: process.env.PATH ?? "", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // Every run report a CLI test sees is checked against the shipped report.schema.json.
  const done = new Promise<CliResult>((resolve, reject) => child.on("close", (code, signal) => {
    try {
      checkCliReport(args, stdout);
      resolve({ code, signal, stdout, stderr });
    } catch (error) {
      reject(error);
    }
  }));
  return { child, done };
}

export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}
