import { readSettings, type SettingSpec } from "../shared/settings.js";
import type { DrizzleConfig } from "./config.js";

export const PLAIN_IDENTIFIER = { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, message: "must be a plain SQL identifier" };

/** The drizzle engine's settings as engines read them in any thread (the zod schema is config.ts). */
export const DRIZZLE_SETTINGS: Record<keyof DrizzleConfig, SettingSpec> = {
  format: { type: "enum", values: ["auto", "journal", "folders"], default: "auto" },
  migrationsTable: { type: "string", ...PLAIN_IDENTIFIER, default: "__drizzle_migrations" },
  migrationsSchema: { type: "string", ...PLAIN_IDENTIFIER, default: "drizzle" },
  allow_out_of_order: { type: "boolean", default: true },
  transaction_mode: { type: "enum", values: ["per-migration", "all"], default: "per-migration" },
  allow_changed: { type: "boolean", default: false },
};

export const readDrizzleConfig = (config: Readonly<Record<string, unknown>>): DrizzleConfig => readSettings("drizzle", DRIZZLE_SETTINGS, config);
