import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { defaultRegistry } from "../registry/default-registry.js";
import type { Registry } from "../registry/registry.js";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { interpolate, type MissingVariable } from "./interpolate.js";
import { locate } from "./locate.js";
import { compareStrings, firstLine } from "../util/text.js";
import { loadPlugins } from "./plugins.js";
import { CORE_MIGRATION_KEYS, databaseSchema, topSchema, type Strategy } from "./schema.js";

/** One database of a validated config, with every default filled and every path absolute. */
export interface DatabaseConfig {
  name: string;
  connectionEnv: string;
  engine: string;
  /** Absolute path of the migrations folder. */
  migrationPath: string;
  strategy: Strategy;
  lockTimeoutMs: number;
  migrationTimeoutMs?: number;
  /** Longest time to open one connection. @default DEFAULT_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
  /** An unanswered request waits this long before the server is asked about the session; the server-side lease. @default DEFAULT_STALL_TIMEOUT_MS */
  stallTimeoutMs?: number;
  /** The engine's own keys, as its schema returned them. */
  engineConfig: Record<string, unknown>;
}

export interface StagecraftConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Folder of the config file: relative paths in it resolve here. */
  dir: string;
  /** Absolute paths of the plugin modules, imported by every worker before engine lookup. */
  plugins: string[];
  /** Sorted by name. */
  databases: DatabaseConfig[];
  environment?: string;
}

export interface LoadConfigOptions {
  /** Apply `environments.<name>.databases` overrides. */
  environment?: string;
  /** Variables for `${VAR}` interpolation. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Registry that engine IDs are checked against. @default the default registry */
  registry?: Registry;
}

/** Reads, interpolates and validates `stagecraft.yml`; throws {@link ConfigError} listing every problem. */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<StagecraftConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === "ENOENT" ? "config file not found" : `cannot read config file (${code ?? String(error)})`;
    throw new ConfigError([{ file, path: "", message, hint: "pass --config PATH, or create stagecraft.yml in this folder" }]);
  }
  return parseConfig(text, file, options);
}

/** Same as {@link loadConfig} for text already in memory; `file` places it (relative paths, messages). */
export async function parseConfig(text: string, file: string, options: LoadConfigOptions = {}): Promise<StagecraftConfig> {
  const registry = options.registry ?? defaultRegistry;
  const env = options.env ?? process.env;
  const dir = dirname(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  // A value the chosen environment overrides is reported where the override is written.
  const placed = (path: (string | number)[]): (string | number)[] => {
    const overridden = ["environments", options.environment ?? "", ...path];
    return options.environment !== undefined && path[0] === "databases" && doc.hasIn(overridden) ? overridden : path;
  };
  const at = (path: (string | number)[], message: string, hint?: string): ConfigIssue => ({
    file,
    ...locate(doc, lines, placed(path)),
    path: placed(path).join("."),
    message,
    ...(hint === undefined ? {} : { hint }),
  });

  for (const error of doc.errors) {
    const pos = lines.linePos(error.pos[0]);
    issues.push({ file, line: pos.line, column: pos.col, path: "", message: `invalid YAML: ${firstLine(error.message)}` });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses alias bombs ("excessive alias count") while building the value.
    throw new ConfigError([at([], `invalid YAML: ${firstLine((error as Error).message)}`, "expand the aliases, or use fewer of them")]);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError([at([], "the config must be a YAML mapping with a `databases:` section", "see the configuration reference (docs/configuration.md)")]);
  }
  const root = { ...(raw as Record<string, unknown>) };

  const pluginPaths = await importPlugins(root.plugins, dir, registry, issues, at);
  applyEnvironment(root, options.environment, issues, at);

  const missing: MissingVariable[] = [];
  if (isRecord(root.databases)) {
    root.databases = Object.fromEntries(
      Object.entries(root.databases).map(([name, db]) => {
        if (!isRecord(db) || !("migrations" in db)) return [name, db];
        const migrations = interpolate(db.migrations, env, ["databases", name, "migrations"], missing);
        return [name, { ...db, migrations }];
      }),
    );
  }
  const unresolved = new Set<string>();
  for (const { path, variable } of missing) {
    unresolved.add(String(path[1]));
    issues.push(at(path, `environment variable ${variable} is not set (used as \${${variable}})`, `set ${variable}, or write $\${${variable}} for a literal \${${variable}}`));
  }

  const top = topSchema.safeParse(root, { reportInput: true });
  if (!top.success) {
    for (const issue of top.error.issues) issues.push(at(issue.path as (string | number)[], describeZodIssue(issue)));
    throw new ConfigError(issues);
  }
  const databases: DatabaseConfig[] = [];
  for (const [name, db] of Object.entries(top.data.databases).sort(([a], [b]) => compareStrings(a, b))) {
    if (unresolved.has(name)) continue;
    const checked = await checkDatabase(name, db, { dir, registry, at });
    issues.push(...checked.issues);
    if (checked.database) databases.push(checked.database);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { file, dir, plugins: pluginPaths, databases, ...(options.environment === undefined ? {} : { environment: options.environment }) };
}

type At = (path: (string | number)[], message: string, hint?: string) => ConfigIssue;

/** Checks one database: core keys, engine ID, engine keys, folder. Every problem is collected. */
async function checkDatabase(name: string, raw: unknown, ctx: { dir: string; registry: Registry; at: At }): Promise<{ database?: DatabaseConfig; issues: ConfigIssue[] }> {
  const { at, registry } = ctx;
  const issues: ConfigIssue[] = [];
  const base = ["databases", name, "migrations"];
  const core = databaseSchema.safeParse(raw, { reportInput: true });
  if (!core.success) for (const issue of core.error.issues) issues.push(at(["databases", name, ...(issue.path as (string | number)[])], describeZodIssue(issue)));
  const migrations = isRecord(raw) && isRecord(raw.migrations) ? raw.migrations : {};
  const engineKeys = Object.fromEntries(Object.entries(migrations).filter(([key]) => !(CORE_MIGRATION_KEYS as readonly string[]).includes(key)));
  let engineConfig: Record<string, unknown> = engineKeys;
  const engineId = migrations.engine;
  if (typeof engineId === "string" && engineId !== "") {
    if (!registry.has(engineId)) {
      issues.push(at([...base, "engine"], `unknown migration engine "${engineId}" for database ${name}; available engines: [${registry.ids().join(", ")}]`,
        "use one of the available engines, or list the module that registers it under `plugins:`"));
    } else {
      const schema = registry.get(engineId).configSchema;
      const result = schema?.safeParse(engineKeys, { reportInput: true });
      if (result?.success) engineConfig = result.data as Record<string, unknown>;
      else if (result) for (const issue of result.error.issues) issues.push(at([...base, ...(issue.path as (string | number)[])], describeZodIssue(issue, engineId)));
    }
  }
  let migrationPath = "";
  if (typeof migrations.path === "string" && migrations.path !== "") {
    migrationPath = resolve(ctx.dir, migrations.path);
    const kind = await stat(migrationPath).then((s) => (s.isDirectory() ? "dir" : "file"), () => "missing");
    if (kind !== "dir") {
      issues.push(at([...base, "path"], kind === "missing" ? `migrations folder ${migrationPath} does not exist` : `${migrationPath} is a file, not a folder`,
        "create the folder, or fix the path (it is relative to the config file)"));
    }
  }
  if (!core.success || issues.length > 0) return { issues };
  const { strategy, lock_timeout_ms, migration_timeout_ms, connect_timeout_ms, stall_timeout_ms } = core.data.migrations;
  return {
    issues,
    database: {
      name,
      connectionEnv: core.data.connection_env,
      engine: core.data.migrations.engine,
      migrationPath,
      strategy,
      lockTimeoutMs: lock_timeout_ms,
      connectTimeoutMs: connect_timeout_ms,
      stallTimeoutMs: stall_timeout_ms,
      ...(migration_timeout_ms === undefined ? {} : { migrationTimeoutMs: migration_timeout_ms }),
      engineConfig,
    },
  };
}

async function importPlugins(value: unknown, dir: string, registry: Registry, issues: ConfigIssue[], at: At): Promise<string[]> {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) return []; // reported by the schema
  const paths = value.map((item) => resolve(dir, item));
  for (const failure of await loadPlugins(paths, registry)) {
    issues.push(at(["plugins", failure.index], failure.message, "fix the module, or remove it from `plugins:`"));
  }
  return paths;
}

function applyEnvironment(root: Record<string, unknown>, environment: string | undefined, issues: ConfigIssue[], at: At): void {
  if (environment === undefined) return;
  const environments = isRecord(root.environments) ? root.environments : {};
  const chosen = environments[environment];
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
  const merged: Record<string, unknown> = { ...root.databases };
  for (const [name, override] of Object.entries(chosen.databases)) {
    if (!(name in merged)) {
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
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

function describeZodIssue(issue: z.core.$ZodIssue, engineId?: string): string {
  const owner = engineId === undefined ? "" : ` (engine ${engineId})`;
  if (issue.code === "unrecognized_keys") {
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${owner}`;
  }
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return `is required${owner}`;
  return `${issue.message}${owner}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
