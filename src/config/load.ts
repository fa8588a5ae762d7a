import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { defaultRegistry } from "../registry/default-registry.js";
import type { Registry } from "../registry/registry.js";
import { duplicateKeys } from "./duplicate-keys.js";
import { describeZodIssue, isRecord, type At, type DatabaseConfig } from "./check-database.js";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import type { Env } from "./env.js";
import { applyEnvironment, bareRecord, toBare } from "./environment.js";
import type { WholeVariables } from "./coerce.js";
import { checkEntries, type FleetSummary } from "./expand-entries.js";
import { interpolate, type MissingVariable } from "./interpolate.js";
import { locate } from "./locate.js";
import { firstLine } from "../util/text.js";
import { loadPlugins } from "./plugins.js";
import { topSchema } from "./schema.js";
import type { LintSettings } from "../lint/lint-config.js";
import { ledgerSettings, rolloutSettings, type LedgerSettings, type RolloutSettings } from "./ledger-schema.js";

export type { DatabaseConfig } from "./check-database.js";
export type { FleetSummary } from "./expand-entries.js";

export interface StagecraftConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Folder of the config file: relative paths in it resolve here. */
  dir: string;
  /** Absolute paths of the plugin modules, imported by every worker before engine lookup. */
  plugins: string[];
  /** Sorted by name; every fleet member is one database here, like any other. */
  databases: DatabaseConfig[];
  /** One per fleet entry: what it expanded to. */
  fleets?: FleetSummary[];
  environment?: string;
  /** The `lint:` section: a severity per rule (docs/lint.md). */
  lint?: LintSettings;
  /** The `ledger:` section: where `migrate` records runs (docs/ledger.md). */
  ledger?: LedgerSettings;
  /** The `rollout:` section: ordered waves (docs/ledger.md). */
  rollout?: RolloutSettings;
}

export interface LoadConfigOptions {
  /** Apply `environments.<name>.databases` overrides. */
  environment?: string;
  /** Variables for `${VAR}` interpolation and fleet catalogs' `connection_env`. @default process.env */
  env?: Env;
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
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
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
  for (const { key, line, column } of duplicateKeys(doc, lines)) {
    issues.push({ file, line, column, path: "", message: `invalid YAML: Map keys must be unique ("${key}" appears more than once)` });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  let raw: unknown;
  try {
    // Maps, not objects: a key named __proto__ must stay a key (see toBare).
    raw = toBare(doc.toJS({ maxAliasCount: 100, mapAsMap: true }));
  } catch (error) {
    // yaml refuses alias bombs ("excessive alias count") while building the value.
    throw new ConfigError([at([], `invalid YAML: ${firstLine((error as Error).message)}`, "expand the aliases, or use fewer of them")]);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError([at([], "the config must be a YAML mapping with a `databases:` section", "see the configuration reference (docs/configuration.md)")]);
  }
  const root = bareRecord(Object.entries(raw as Record<string, unknown>));

  const pluginPaths = await importPlugins(root.plugins, dir, registry, issues, at);
  applyEnvironment(root, options.environment, issues, at);

  const missing: MissingVariable[] = [];
  const whole: WholeVariables = new Map();
  if (isRecord(root.databases)) {
    root.databases = bareRecord(Object.entries(root.databases).map(([name, db]) => [name, interpolateEntry(name, db, env, missing, whole)]));
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
  // The entries as written (zod's record drops a key named __proto__), minus those whose
  // variables are unset: their problems are already reported.
  const entries = Object.entries(root.databases as Record<string, unknown>).filter(([name]) => !unresolved.has(name));
  const { databases, fleets } = await checkEntries(entries, { dir, registry, at, env, whole }, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { file, dir, plugins: pluginPaths, databases, fleets, ...(options.environment === undefined ? {} : { environment: options.environment }), ...(top.data.lint === undefined ? {} : { lint: top.data.lint }),
    ...(top.data.ledger === undefined ? {} : { ledger: ledgerSettings(top.data.ledger) }),
    ...(top.data.rollout === undefined ? {} : { rollout: rolloutSettings(top.data.rollout) }) };
}

/**
 * `${VAR}` in an entry's `migrations`, `tags` and fleet source (`list`, `glob`, `query.sql`).
 * `fleet.name`, `fleet.url` and `fleet.tags` are templates: they resolve `${VAR}` themselves,
 * in the same pass as `{{field}}`.
 */
function interpolateEntry(name: string, db: unknown, env: Env, missing: MissingVariable[], whole: WholeVariables): unknown {
  if (!isRecord(db)) return db;
  const out = bareRecord(Object.entries(db));
  for (const key of ["migrations", "tags"]) {
    if (Object.hasOwn(db, key)) out[key] = interpolate(db[key], env, ["databases", name, key], missing, whole);
  }
  if (isRecord(db.fleet)) {
    const fleet = bareRecord(Object.entries(db.fleet));
    for (const key of ["list", "glob"]) if (Object.hasOwn(fleet, key)) fleet[key] = interpolate(fleet[key], env, ["databases", name, "fleet", key], missing);
    if (isRecord(fleet.query) && Object.hasOwn(fleet.query, "sql")) {
      fleet.query = bareRecord([...Object.entries(fleet.query), ["sql", interpolate(fleet.query.sql, env, ["databases", name, "fleet", "query", "sql"], missing)]]);
    }
    out.fleet = fleet;
  }
  return out;
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
