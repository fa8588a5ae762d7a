import { register } from "../../registry/default-registry.js";
import { lazyEngine } from "../lazy-engine.js";
import { rawConfigSchema } from "./config.js";

/** Plain `.sql` files with stagecraft's own bookkeeping table. */
export const rawEngine = lazyEngine("raw", rawConfigSchema, () => import("./raw-engine.js"), { resolvable: true, runsUserCode: false, workerModule: import.meta.url });

// Offline SQL sources (stagecraft lint), imported on first use like the engine itself.
rawEngine.sources = async (opts) => (await import("./raw-sources.js")).sources(opts);
// `migrate baseline`, imported on first use like the engine itself.
rawEngine.baseline = async (opts) => (await import("./raw-baseline.js")).baseline(opts);
// `stagecraft validate` and `stagecraft new`.
rawEngine.check = async (opts) => (await import("./raw-check.js")).check(opts);
rawEngine.newMigration = async (opts) => (await import("./raw-new.js")).newMigration(opts);
register(rawEngine);
