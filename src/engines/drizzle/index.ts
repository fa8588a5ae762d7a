import { register } from "../../registry/default-registry.js";
import { lazyEngine } from "../lazy-engine.js";
import { otherToolCreates } from "../shared/foreign-new.js";
import { drizzleConfigSchema } from "./config.js";

/** drizzle-kit migration folders (0.x journal or 1.0 folders) with drizzle's own bookkeeping table. */
export const drizzleEngine = lazyEngine("drizzle", drizzleConfigSchema, () => import("./drizzle-engine.js"), { resolvable: true, runsUserCode: false, workerModule: import.meta.url });

// Offline SQL sources (stagecraft lint), imported on first use like the engine itself.
drizzleEngine.sources = async (opts) => (await import("./drizzle-sources.js")).sources(opts);
// `migrate baseline`, imported on first use like the engine itself.
drizzleEngine.baseline = async (opts) => (await import("./drizzle-baseline.js")).baseline(opts);
// `stagecraft validate` and `stagecraft new`.
drizzleEngine.check = async (opts) => (await import("./drizzle-check.js")).check(opts);
drizzleEngine.newMigration = otherToolCreates("drizzle", (name) => `drizzle-kit generate --name ${name}`, "drizzle-kit writes from the schema, with its journal", " (or `drizzle-kit generate --custom --name NAME` for hand-written SQL)");
register(drizzleEngine);
