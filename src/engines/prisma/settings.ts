import { readSettings, type SettingSpec } from "../shared/settings.js";
import type { PrismaConfig } from "./config.js";

/** The prisma engine's settings as engines read them in any thread (the zod schema is config.ts). */
export const PRISMA_SETTINGS: Record<keyof PrismaConfig, SettingSpec> = {
  baseline: { type: "string", nonEmpty: true },
  allow_changed: { type: "boolean", default: false },
};

export const readPrismaConfig = (config: Readonly<Record<string, unknown>>): PrismaConfig => readSettings("prisma", PRISMA_SETTINGS, config);
