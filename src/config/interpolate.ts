import { pathKey, type WholeVariables } from "./coerce.js";
import { readEnv, type Env } from "./env.js";

/** A `${VAR}` that names an unset variable, found at `path`. */
export interface MissingVariable {
  path: (string | number)[];
  variable: string;
}

/**
 * Replaces `${VAR}` in every string below `value` with `env[VAR]`. `$${VAR}` stays literal
 * (`${VAR}`). Unset variables are collected, not thrown, so every one is reported at once.
 */
export function interpolate(
  value: unknown,
  env: Env,
  path: (string | number)[],
  missing: MissingVariable[],
  whole?: WholeVariables,
): unknown {
  if (typeof value === "string") {
    // Exactly one placeholder: remembered, so a numeric or boolean setting can take it (see coerce.ts).
    const only = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    if (only && whole !== undefined && readEnv(env, only[1]!) !== undefined) whole.set(pathKey(path), only[1]!);
    return value.replace(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, escape: string, name: string) => {
      if (escape === "$") return match.slice(1);
      const replacement = readEnv(env, name);
      if (replacement === undefined) {
        missing.push({ path, variable: name });
        return match;
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, [...path, index], missing, whole));
  if (value !== null && typeof value === "object") {
    // Keys are defined, not assigned: a key named __proto__ stays a key.
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value)) out[key] = interpolate(item, env, [...path, key], missing, whole);
    return out;
  }
  return value;
}
