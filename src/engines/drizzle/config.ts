import { z } from "zod";
import { PLAIN_IDENTIFIER } from "./settings.js";

/** Keys of `databases.<name>.migrations` for `engine: drizzle` (the `out` folder is `path`). */
export const drizzleConfigSchema = z.strictObject({
  /** `journal`: drizzle-kit 0.x (`meta/_journal.json`); `folders`: drizzle 1.0 (`<timestamp>_<name>/migration.sql`). */
  format: z.enum(["auto", "journal", "folders"]).default("auto"),
  /** drizzle's `migrations.table`. */
  migrationsTable: z.string().regex(PLAIN_IDENTIFIER.pattern, { error: PLAIN_IDENTIFIER.message }).default("__drizzle_migrations"),
  /** drizzle's `migrations.schema` (PostgreSQL only). */
  migrationsSchema: z.string().regex(PLAIN_IDENTIFIER.pattern, { error: PLAIN_IDENTIFIER.message }).default("drizzle"),
  /** Apply a pending migration older than the newest applied one (drizzle 0.x would skip it forever). */
  allow_out_of_order: z.boolean().default(true),
  /**
   * `per-migration`: each migration commits with its row. `all`: the run in one transaction, as
   * drizzle-orm's `migrate()` does (SQLite/PostgreSQL; MySQL DDL commits implicitly, so refused).
   */
  transaction_mode: z.enum(["per-migration", "all"]).default("per-migration"),
  /** Accept an applied migration whose file changed. */
  allow_changed: z.boolean().default(false),
});

export type DrizzleConfig = z.output<typeof drizzleConfigSchema>;
