import { has, register } from "../../registry/default-registry.js";
import { drizzleConfigSchema } from "./config.js";
import { defineDrizzleEngine } from "./define.js";

/** The drizzle engine as the main thread registers it: with the zod schema of its settings. */
export const drizzleEngine = defineDrizzleEngine(drizzleConfigSchema);
// A worker that imported worker.ts first (then a plugin that imports the package) keeps that one.
if (!has("drizzle")) register(drizzleEngine);
