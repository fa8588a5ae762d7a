import { z } from "zod";
import { DEFAULT_RAW_TABLE, IDENTIFIER } from "./settings.js";

const identifier = z.string().regex(IDENTIFIER.pattern, { error: IDENTIFIER.message });

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
