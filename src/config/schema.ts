import { z } from "zod";

/** Strategy used when a database does not say. */
export const DEFAULT_STRATEGY = "pre_deploy";
/** Longest wait for a database's migration lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const STRATEGIES = ["pre_deploy", "post_deploy", "manual"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Keys of `databases.<name>.migrations` that stagecraft owns; the rest belong to the engine. */
export const CORE_MIGRATION_KEYS = ["engine", "path", "strategy", "lock_timeout_ms", "migration_timeout_ms"] as const;

const envVarName = z
  .string({ error: "must be the name of an environment variable (a string)" })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be a valid environment variable name (letters, digits and _, not starting with a digit)" });

export const migrationsSchema = z
  .object({
    engine: z.string({ error: "is required: the ID of a registered migration engine" }).min(1, { error: "must not be empty" }),
    path: z.string({ error: "is required: the folder holding the migrations, relative to the config file" }).min(1, { error: "must not be empty" }),
    strategy: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.join(", ")}` }).default(DEFAULT_STRATEGY),
    lock_timeout_ms: z.number({ error: "must be a number of milliseconds" }).int().positive().default(DEFAULT_LOCK_TIMEOUT_MS),
    migration_timeout_ms: z.number({ error: "must be a number of milliseconds" }).int().positive().optional(),
  })
  .catchall(z.unknown());

export const databaseSchema = z.looseObject({
  connection_env: envVarName,
  migrations: migrationsSchema,
});

const databaseName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, {
  error: "database names use letters, digits, _, . and - only",
});

export const configSchema = z.looseObject({
  plugins: z.array(z.string({ error: "each plugin must be a module path (a string)" })).default([]),
  databases: z.record(databaseName, databaseSchema, { error: "must be a map of database names to their settings" }),
  environments: z.record(z.string(), z.unknown()).optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
