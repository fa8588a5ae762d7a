import { has, register } from "../../registry/default-registry.js";
import { rawConfigSchema } from "./config.js";
import { defineRawEngine } from "./define.js";

/** The raw engine as the main thread registers it: with the zod schema of its settings. */
export const rawEngine = defineRawEngine(rawConfigSchema);
// A worker that imported worker.ts first (then a plugin that imports the package) keeps that one.
if (!has("raw")) register(rawEngine);
