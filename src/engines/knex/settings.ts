import { readSettings, type SettingSpec } from "../shared/settings.js";
import type { KnexConfig } from "./config.js";

export const EXTENSION = { pattern: /^\.[A-Za-z0-9]+$/, message: "must be an extension like .js" };

/** The knex engine's settings as engines read them in any thread (the zod schema is config.ts). */
export const KNEX_SETTINGS: Record<keyof KnexConfig, SettingSpec> = {
  directories: { type: "strings", nonEmpty: true, default: [] },
  tableName: { type: "string", nonEmpty: true, default: "knex_migrations" },
  schemaName: { type: "string", nonEmpty: true },
  loadExtensions: { type: "strings", ...EXTENSION },
  disableTransactions: { type: "boolean", default: false },
  sortDirsSeparately: { type: "boolean", default: false },
};

export const readKnexConfig = (config: Readonly<Record<string, unknown>>): KnexConfig => readSettings("knex", KNEX_SETTINGS, config);
