import { readSettings, type SettingSpec } from "../shared/settings.js";
import type { RawConfig } from "./config.js";

export const DEFAULT_RAW_TABLE = "stagecraft_migrations";
export const IDENTIFIER = { pattern: /^[A-Za-z_][A-Za-z0-9_]{0,62}$/, message: "must be a plain SQL identifier (letters, digits, _)" };

/** The raw engine's settings as engines read them in any thread (the zod schema is config.ts). */
export const RAW_SETTINGS: Record<keyof RawConfig, SettingSpec> = {
  table: { type: "string", ...IDENTIFIER, default: DEFAULT_RAW_TABLE },
  schema: { type: "string", ...IDENTIFIER },
  transaction_mode: { type: "enum", values: ["per-migration", "all"], default: "per-migration" },
  allow_out_of_order: { type: "boolean", default: true },
  allow_changed: { type: "boolean", default: false },
  allow_missing: { type: "boolean", default: false },
};

export const readRawConfig = (config: Readonly<Record<string, unknown>>): RawConfig => readSettings("raw", RAW_SETTINGS, config);
