import type { ConfigIssue } from "./config-error.js";
import { isRecord, type At } from "./check-database.js";

/**
 * A map without a prototype: `__proto__` and `constructor` are ordinary keys in it, so a
 * database named `__proto__` is kept and `x in map` finds only what the file wrote.
 */
export function bareRecord(entries: Iterable<readonly [string, unknown]> = []): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** The parsed YAML (read with `mapAsMap`) as plain values whose every map is a {@link bareRecord}. */
export function toBare(value: unknown): unknown {
  if (value instanceof Map) return bareRecord([...value].map(([key, item]) => [String(key), toBare(item)] as const));
  if (Array.isArray(value)) return value.map(toBare);
  return value;
}

/** Deep-merges `environments.<name>.databases` over `databases`. */
export function applyEnvironment(root: Record<string, unknown>, environment: string | undefined, issues: ConfigIssue[], at: At): void {
  if (environment === undefined) return;
  const environments = isRecord(root.environments) ? root.environments : bareRecord();
  const chosen = Object.hasOwn(environments, environment) ? environments[environment] : undefined;
  if (!isRecord(chosen)) {
    const known = Object.keys(environments).sort();
    issues.push(at(["environments"], `environment "${environment}" is not defined; defined environments: [${known.join(", ")}]`,
      `add environments.${environment} to the config, or pick a defined one`));
    return;
  }
  if (chosen.databases === undefined) return;
  if (!isRecord(chosen.databases) || !isRecord(root.databases)) {
    issues.push(at(["environments", environment, "databases"], "must be a map of database names to overrides"));
    return;
  }
  const merged = bareRecord(Object.entries(root.databases));
  for (const [name, override] of Object.entries(chosen.databases)) {
    if (!Object.hasOwn(merged, name)) {
      issues.push(at(["environments", environment, "databases", name], `overrides database ${name}, which is not defined under databases:`,
        "define the database under databases:, or fix the name"));
      continue;
    }
    merged[name] = deepMerge(merged[name], override);
  }
  root.databases = merged;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isRecord(base) || !isRecord(override)) return override;
  const out = bareRecord(Object.entries(base));
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(out[key], value);
  return out;
}
