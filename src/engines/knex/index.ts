import { has, register } from "../../registry/default-registry.js";
import { knexConfigSchema } from "./config.js";
import { defineKnexEngine } from "./define.js";

/** The knex engine as the main thread registers it: with the zod schema of its settings. */
export const knexEngine = defineKnexEngine(knexConfigSchema);
// A worker that imported worker.ts first (then a plugin that imports the package) keeps that one.
if (!has("knex")) register(knexEngine);
