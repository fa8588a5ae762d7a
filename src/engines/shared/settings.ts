import { StagecraftError } from "../../errors.js";

/** How one engine setting (a key of `databases.<name>.migrations`) is checked, and its default. */
export type SettingSpec =
  | { type: "boolean"; default?: boolean }
  | { type: "enum"; values: readonly string[]; default?: string }
  | { type: "string" | "strings"; default?: string | readonly string[]; nonEmpty?: boolean; pattern?: RegExp; message?: string };

/**
 * An engine's settings with their defaults filled in, checked without zod. Engines call this
 * where they run — in worker threads, which would otherwise import zod (about 0.1 s of CPU per
 * thread) only to re-check what the main thread already validated with the engine's zod
 * schema (`configSchema`, which gives the config file its messages and JSON Schema). A test
 * keeps each engine's specs and zod schema in agreement (test/unit/engine-settings.test.ts).
 */
export function readSettings<T>(engine: string, specs: Readonly<Record<string, SettingSpec>>, config: Readonly<Record<string, unknown>>): T {
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined && !Object.hasOwn(specs, key)) throw invalid(engine, key, `is not a setting of the ${engine} engine (its settings: ${Object.keys(specs).join(", ")})`);
  }
  const settings: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const value = config[key];
    if (value === undefined) {
      if (spec.default !== undefined) settings[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
      continue;
    }
    const problem = check(spec, value);
    if (problem !== undefined) throw invalid(engine, key, problem);
    settings[key] = Array.isArray(value) ? [...value] : value;
  }
  return settings as T;
}

function check(spec: SettingSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "enum":
      return typeof value === "string" && spec.values.includes(value) ? undefined : `must be one of ${spec.values.map((v) => `"${v}"`).join(", ")}`;
    case "string":
      return checkString(spec, value);
    case "strings":
      if (!Array.isArray(value)) return "must be a list of strings";
      for (const item of value) {
        const problem = checkString(spec, item);
        if (problem !== undefined) return `item ${JSON.stringify(item)} ${problem}`;
      }
      return undefined;
  }
}

function checkString(spec: { nonEmpty?: boolean; pattern?: RegExp; message?: string }, value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  if (spec.nonEmpty && value === "") return "must not be empty";
  if (spec.pattern && !spec.pattern.test(value)) return spec.message ?? `must match ${spec.pattern}`;
  return undefined;
}

function invalid(engine: string, key: string, problem: string): StagecraftError {
  return new StagecraftError("invalid_config", `${engine} engine: migrations.${key} ${problem}`, { hint: "fix the setting in the database's migrations block" });
}
