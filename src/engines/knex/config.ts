import { z } from "zod";
import { EXTENSION } from "./settings.js";

/** Keys of `databases.<name>.migrations` for `engine: knex`; they mirror knex's migration config. */
export const knexConfigSchema = z.strictObject({
  /** More migration folders after `path`, relative to the config file (knex `directory` as a list). */
  directories: z.array(z.string().min(1)).default([]),
  tableName: z.string().min(1).default("knex_migrations"),
  /** PostgreSQL schema of knex's tables; it must exist (knex does not create it). */
  schemaName: z.string().min(1).optional(),
  /** File extensions that count as migrations. @default knex's own list (.js, .cjs, .ts, …; not .mjs) */
  loadExtensions: z.array(z.string().regex(EXTENSION.pattern, { error: EXTENSION.message })).optional(),
  disableTransactions: z.boolean().default(false),
  sortDirsSeparately: z.boolean().default(false),
});

export type KnexConfig = z.output<typeof knexConfigSchema>;
