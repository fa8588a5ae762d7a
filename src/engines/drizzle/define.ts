import { lazyEngine } from "../lazy-engine.js";
import { engineWorkerModule } from "../../runtime-files.js";
import { otherToolCreates } from "../shared/foreign-new.js";
import type { ZodType } from "zod";
import type { Engine } from "../../registry/engine.js";

/** The module that registers this engine in a worker thread, without its zod schema. */
const WORKER_MODULE = engineWorkerModule("drizzle");

/**
 * drizzle-kit migration folders (0.x journal or 1.0 folders) with drizzle's own bookkeeping table.
 * `configSchema` is given in the main thread only (index.ts), which validates the config;
 * the engine itself reads its settings without zod (settings.ts).
 */
export function defineDrizzleEngine(configSchema: ZodType | undefined): Engine {
  const drizzleEngine = lazyEngine("drizzle", configSchema, () => import("./drizzle-engine.js"), { resolvable: true, runsUserCode: false, workerModule: WORKER_MODULE });

  drizzleEngine.oneCommitPerRun = (config) => config.transaction_mode === "all";
  // Offline SQL sources (stagecraft lint), imported on first use like the engine itself.
  drizzleEngine.sources = async (opts) => (await import("./drizzle-sources.js")).sources(opts);
  // `migrate baseline`, imported on first use like the engine itself.
  drizzleEngine.baseline = async (opts) => (await import("./drizzle-baseline.js")).baseline(opts);
  // `stagecraft validate` and `stagecraft new`.
  drizzleEngine.check = async (opts) => (await import("./drizzle-check.js")).check(opts);
  drizzleEngine.newMigration = otherToolCreates("drizzle", (name) => `drizzle-kit generate --name ${name}`, "drizzle-kit writes from the schema, with its journal", " (or `drizzle-kit generate --custom --name NAME` for hand-written SQL)");
  return drizzleEngine;
}
