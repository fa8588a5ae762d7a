import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { z } from "zod";
import type { Registry } from "../registry/registry.js";
import type { ConfigIssue } from "./config-error.js";
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

export type At = (path: (string | number)[], message: string, hint?: string) => ConfigIssue;

export interface CheckContext {
  dir: string;
  registry: Registry;
  at: At;
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
  const core = (fleet ? fleetEntrySchema : databaseSchema).safeParse(raw, { reportInput: true });
  if (!core.success) for (const issue of core.error.issues) issues.push(at(["databases", name, ...(issue.path as (string | number)[])], describeZodIssue(issue)));
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
