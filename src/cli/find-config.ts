import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ConfigError } from "../config/config-error.js";

export const CONFIG_NAME = "stagecraft.yml";

/** Which config file a command reads, and why that one. */
export interface FoundConfig {
  path: string;
  /** `flag`: `-c`; `env`: `$STAGECRAFT_CONFIG`; `cwd`: stagecraft.yml here; `parent`: found in a parent folder. */
  source: "flag" | "env" | "cwd" | "parent";
}

/**
 * The config file: `-c PATH`, else `$STAGECRAFT_CONFIG`, else the nearest `stagecraft.yml` from
 * `cwd` upward — as knex and prisma look for theirs — stopping at the repository root (a folder
 * with `.git`) or the filesystem root, so a config of an unrelated project above is never used.
 */
export function findConfig(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): FoundConfig {
  if (flag !== undefined) return { path: resolve(cwd, flag), source: "flag" };
  const fromEnv = env.STAGECRAFT_CONFIG;
  if (fromEnv !== undefined && fromEnv !== "") return { path: resolve(cwd, fromEnv), source: "env" };
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_NAME);
    if (existsSync(candidate)) return { path: candidate, source: dir === resolve(cwd) ? "cwd" : "parent" };
    const parent = dirname(dir);
    if (existsSync(join(dir, ".git")) || parent === dir) {
      const searched = dir === resolve(cwd) ? "in this folder" : `in this folder or its parents up to ${dir}${existsSync(join(dir, ".git")) ? " (the repository root)" : ""}`;
      throw new ConfigError([{
        file: resolve(cwd),
        path: "",
        message: `no ${CONFIG_NAME} found ${searched}`,
        hint: `pass --config PATH, set STAGECRAFT_CONFIG, or create ${CONFIG_NAME} at the project's root`,
      }]);
    }
    dir = parent;
  }
}

/** How a found config is named on stderr: relative to the cwd when that is shorter. */
export function describeConfig(found: FoundConfig, cwd: string): string {
  const rel = relative(cwd, found.path);
  const shown = rel.length < found.path.length ? rel : found.path;
  return found.source === "env" ? `${shown} (from STAGECRAFT_CONFIG)` : found.source === "parent" ? `${shown} (found in a parent folder)` : shown;
}

/** Whether {@link findConfig} would find a stagecraft.yml from `cwd` (without -c or STAGECRAFT_CONFIG). */
export function hasConfig(cwd: string): boolean {
  try {
    findConfig(undefined, {}, cwd);
    return true;
  } catch {
    return false;
  }
}
