import { z } from "zod";
import { fleetSchema, tagsSchema } from "./fleet-schema.js";
import { lintConfigSchema } from "../lint/lint-config.js";
import { ledgerSchema, rolloutSchema } from "./ledger-schema.js";

/** Strategy used when a database does not say. */
export const DEFAULT_STRATEGY = "pre_deploy";
/** Longest wait for a database's migration lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STALL_TIMEOUT_MS } from "../drivers/connection-options.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STALL_TIMEOUT_MS } from "../drivers/connection-options.js";
export const STRATEGIES = ["pre_deploy", "post_deploy", "manual"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Keys of `databases.<name>.migrations` that stagecraft owns; the rest belong to the engine. */
export const CORE_MIGRATION_KEYS = ["engine", "path", "strategy", "lock_timeout_ms", "migration_timeout_ms", "connect_timeout_ms", "stall_timeout_ms"] as const;

/** One message when the key is missing, another when it has the wrong type. */
function expect(required: string, wrongType: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? `is required: ${required}` : wrongType) };
}

const envVarName = z
  .string(expect("the name of the environment variable that holds the connection URL", "must be the name of an environment variable (a string)"))
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be a valid environment variable name (letters, digits and _, not starting with a digit)" });

export const migrationsSchema = z
  .object({
    engine: z.string(expect("the ID of a registered migration engine", "must be the ID of a registered migration engine (a string)")).min(1, { error: "must not be empty" }),
    path: z.string(expect("the folder holding the migrations, relative to the config file", "must be a folder path (a string)")).min(1, { error: "must not be empty" }),
    strategy: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.join(", ")}` }).default(DEFAULT_STRATEGY),
    lock_timeout_ms: z.number({ error: "must be a number of milliseconds" }).int().positive().default(DEFAULT_LOCK_TIMEOUT_MS),
    migration_timeout_ms: z.number({ error: "must be a number of milliseconds" }).int().positive().optional(),
    connect_timeout_ms: z.number({ error: "must be a number of milliseconds" }).int().positive().default(DEFAULT_CONNECT_TIMEOUT_MS),
    stall_timeout_ms: z.number({ error: "must be a number of milliseconds" }).int().min(1_000, { error: "must be at least 1000 ms" }).default(DEFAULT_STALL_TIMEOUT_MS),
  }, expect("the engine and path of this database's migrations", "must be a map with engine and path"))
  .catchall(z.unknown());

export const databaseSchema = z.looseObject({
  connection_env: envVarName,
  migrations: migrationsSchema,
  tags: tagsSchema.default([]),
}, expect("the settings of this database", "must be a map with connection_env and migrations"));

/** An entry that expands into many databases (its members), all sharing `migrations`. */
export const fleetEntrySchema = z.looseObject({
  fleet: fleetSchema.describe("Expands this entry into many databases (its members), from one of list, query or glob."),
  migrations: migrationsSchema,
  /** Tags every member carries, beside those `fleet.tags` derives per member. */
  tags: tagsSchema.default([]),
}, expect("the settings of this fleet", "must be a map with fleet and migrations"));

/** What a database name (and a fleet member's rendered name) may hold. */
export const DATABASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const databaseName = z.string().regex(DATABASE_NAME, {
  error: "database names use letters, digits, _, . and - only",
});

export const configSchema = z.looseObject({
  plugins: z.array(z.string({ error: "each plugin must be a module path (a string)" })).default([]),
  databases: z.record(databaseName, z.union([databaseSchema, fleetEntrySchema]), expect("a map of database names to their settings", "must be a map of database names to their settings")),
  environments: z.record(z.string(), z.unknown()).optional(),
  lint: lintConfigSchema.optional(),
  /** Where runs are recorded (docs/ledger.md). */
  ledger: ledgerSchema.optional(),
  /** Ordered waves for `migrate --rollout` / `--wave` (docs/ledger.md). */
  rollout: rolloutSchema.optional(),
});

/** The top level only; each database is checked on its own so one bad database hides no other problem. */
export const topSchema = configSchema.extend({
  databases: z.record(databaseName, z.unknown(), expect("a map of database names to their settings", "must be a map of database names to their settings")),
});

export type ConfigInput = z.input<typeof configSchema>;
