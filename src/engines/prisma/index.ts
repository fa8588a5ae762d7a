import { has, register } from "../../registry/default-registry.js";
import { prismaConfigSchema } from "./config.js";
import { definePrismaEngine } from "./define.js";

/** The prisma engine as the main thread registers it: with the zod schema of its settings. */
export const prismaEngine = definePrismaEngine(prismaConfigSchema);
// A worker that imported worker.ts first (then a plugin that imports the package) keeps that one.
if (!has("prisma")) register(prismaEngine);
