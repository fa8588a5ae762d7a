import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { readEnvFile } from "../config/env-file.js";

/**
 * Loads `--env-file` (an error if missing) or else `.env` beside the config (if present) into
 * `env`, never overriding a variable that is already set.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv, explicit: string | undefined, configPath: string): string | undefined {
  const path = explicit ?? join(dirname(configPath), ".env");
  if (explicit === undefined && !existsSync(path)) return undefined;
  for (const [key, value] of Object.entries(readEnvFile(path))) {
    if (env[key] === undefined) env[key] = value;
  }
  return path;
}
