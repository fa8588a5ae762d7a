import { z } from "zod";

export const DEFAULT_RAW_TABLE = "stagecraft_migrations";

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: "must be a plain SQL identifier (letters, digits, _)" });

/** Keys of `databases.<name>.migrations` for `engine: raw`. */
export const rawConfigSchema = z.strictObject({
  /** Bookkeeping table. */
  table: identifier.default(DEFAULT_RAW_TABLE),
  /** PostgreSQL schema of the bookkeeping table (created if missing). */
  schema: identifier.optional(),
  /** `per-migration`: each migration commits with its row. `all`: the whole run in one transaction. */
  transaction_mode: z.enum(["per-migration", "all"]).default("per-migration"),
  /** Apply a pending file that sorts before an applied one. */
  allow_out_of_order: z.boolean().default(true),
  /** Accept an applied migration whose file changed since it was applied. */
  allow_changed: z.boolean().default(false),
  /** Accept an applied migration whose file is gone. */
  allow_missing: z.boolean().default(false),
});

export type RawConfig = z.output<typeof rawConfigSchema>;
