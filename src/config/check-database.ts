import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { z } from "zod";
import type { Registry } from "../registry/registry.js";
import type { ConfigIssue } from "./config-error.js";
import { describeWholeVariable, parseCoercing, type WholeVariables } from "./coerce.js";
import { CORE_MIGRATION_KEYS, databaseSchema, fleetEntrySchema, type Strategy } from "./schema.js";

/** One database of a validated config, with every default filled and every path absolute. */
export interface DatabaseConfig {
  name: string;
  /** The env var that holds the URL; empty for a fleet member, which carries `url` instead. */
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
  /** Sorted, without duplicates: the entry's `tags:` and, for a fleet member, those its row derived. */
  tags?: readonly string[];
  /** For a fleet member: the entry it was expanded from. */
  fleet?: string;
  /** For a fleet member: its source row's fields other than name and url. */
  attributes?: Readonly<Record<string, string>>;
  /**
   * For a fleet member: its finished connection URL. Not enumerable (like pg-pool's password), so
   * logging or serialising a config never prints it.
   */
  readonly url?: string;
}

/**
 * Whether two databases read one migration source: the same engine, folder and engine config
 * object (a fleet's members share their entry's). For caches that remember the last folder seen.
 */
export function sameSource(a: DatabaseConfig, b: DatabaseConfig): boolean {
  return a.engineConfig === b.engineConfig && a.engine === b.engine && a.migrationPath === b.migrationPath;
}

export type At = (path: (string | number)[], message: string, hint?: string) => ConfigIssue;

export interface CheckContext {
  dir: string;
  registry: Registry;
  at: At;
  /** Strings that were one whole `${VAR}`: converted where a number or boolean is expected. */
  whole?: WholeVariables;
}

/** The settings a database shares with every member of its fleet: all but the name and URL. */
export type SharedSettings = Omit<DatabaseConfig, "name" | "connectionEnv" | "url" | "fleet" | "attributes">;

/**
 * Checks one entry's core keys, engine ID, engine keys and folder, against the plain-database
 * schema or the fleet-entry schema. Every problem is collected.
 */
export async function checkEntry(name: string, raw: unknown, fleet: boolean, ctx: CheckContext): Promise<{ shared?: SharedSettings; data?: z.output<typeof databaseSchema> | z.output<typeof fleetEntrySchema>; issues: ConfigIssue[] }> {
  const { at, registry } = ctx;
  const issues: ConfigIssue[] = [];
  const base = ["databases", name, "migrations"];
  const entryPath = ["databases", name];
  const core = parseCoercing(fleet ? fleetEntrySchema : databaseSchema, raw, entryPath, ctx.whole);
  if (!core.success) for (const issue of core.error.issues) issues.push(at([...entryPath, ...(issue.path as (string | number)[])], describeWholeVariable(issue, entryPath, ctx.whole, raw) ?? describeZodIssue(issue)));
  issues.push(...unknownEntryKeys(raw, fleet).map((u) => at([...entryPath, u.key], u.message, u.hint)));
  if (fleet && isRecord(raw) && Object.hasOwn(raw, "connection_env")) {
    issues.push(at(["databases", name, "connection_env"], "a fleet entry takes no connection_env: each member's URL comes from fleet.url (or the source's url)", "remove connection_env, or remove fleet: to make this one database"));
  }
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
      const result = schema === undefined ? undefined : parseCoercing(schema, engineKeys, base, ctx.whole);
      if (result?.success) engineConfig = result.data as Record<string, unknown>;
      else if (result) for (const issue of result.error!.issues) issues.push(at([...base, ...(issue.path as (string | number)[])], describeWholeVariable(issue, base, ctx.whole, engineKeys) ?? describeZodIssue(issue, engineId)));
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
  if (!core.success || issues.length > 0) return { issues, ...(core.success ? { data: core.data } : {}) };
  const { strategy, lock_timeout_ms, migration_timeout_ms, connect_timeout_ms, stall_timeout_ms } = core.data.migrations;
  return {
    issues,
    data: core.data,
    shared: {
      engine: core.data.migrations.engine,
      migrationPath,
      strategy,
      lockTimeoutMs: lock_timeout_ms,
      connectTimeoutMs: connect_timeout_ms,
      stallTimeoutMs: stall_timeout_ms,
      ...(migration_timeout_ms === undefined ? {} : { migrationTimeoutMs: migration_timeout_ms }),
      engineConfig,
      tags: [...new Set(core.data.tags)].sort(),
    },
  };
}

/** Keys a database entry takes; a fleet entry takes `fleet` instead of `connection_env` (reported on its own). */
const ENTRY_KEYS = { database: ["connection_env", "migrations", "tags"], fleet: ["fleet", "migrations", "tags", "connection_env"] } as const;

/**
 * Keys of an entry that no schema reads (`migration:` for `migrations:`), each with the key
 * it most likely meant: a typo must not leave a setting silently ignored.
 */
function unknownEntryKeys(raw: unknown, fleet: boolean): { key: string; message: string; hint: string }[] {
  if (!isRecord(raw)) return [];
  const known: readonly string[] = fleet ? ENTRY_KEYS.fleet : ENTRY_KEYS.database;
  const candidates = [...new Set([...ENTRY_KEYS.database, ...ENTRY_KEYS.fleet])];
  return Object.keys(raw).filter((key) => !known.includes(key)).map((key) => {
    const guess = didYouMean(key, candidates);
    return {
      key,
      message: `unknown key "${key}"${guess === undefined ? "" : ` (did you mean "${guess}"?)`}`,
      hint: `a database takes ${ENTRY_KEYS.database.join(", ")}; a fleet entry takes fleet, migrations, tags`,
    };
  });
}

/** The candidate `key` most likely meant: a prefix of it, or within two edits. */
export function didYouMean(key: string, candidates: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const prefixed = candidates.find((c) => c.startsWith(lower) || lower.startsWith(c));
  if (prefixed !== undefined && lower.length >= 4) return prefixed;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

export function describeZodIssue(issue: z.core.$ZodIssue, engineId?: string): string {
  const owner = engineId === undefined ? "" : ` (engine ${engineId})`;
  if (issue.code === "unrecognized_keys") {
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${owner}`;
  }
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return `is required${owner}`;
  return `${issue.message}${owner}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
