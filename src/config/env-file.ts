import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { StagecraftError } from "../errors.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The variables of a dotenv file (`KEY=value` lines, as `node --env-file` reads them). */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new StagecraftError("invalid_config", `cannot read env file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      file: path,
      hint: "check the path (relative paths start from the current directory), or leave the env file out",
    }, { cause: error });
  }
  // A byte-order mark (editors on Windows write one) would otherwise become part of the first name.
  const values: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(parseEnv(text.replace(/^\uFEFF/, "")))) if (value !== undefined) values[key] = value;
  return values;
}

/**
 * `env` with the file's variables filled in where `env` has none: what the process already
 * holds (the deployment's real settings) always wins over a file. `env` itself is not changed.
 */
export function withEnvFile(env: Env, path: string): Env {
  const merged: Record<string, string | undefined> = Object.assign(Object.create(null), readEnvFile(path));
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}
