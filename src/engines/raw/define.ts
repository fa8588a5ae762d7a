import { lazyEngine } from "../lazy-engine.js";
import { engineWorkerModule } from "../../runtime-files.js";
import type { ZodType } from "zod";
import type { Engine } from "../../registry/engine.js";

/** The module that registers this engine in a worker thread, without its zod schema. */
const WORKER_MODULE = engineWorkerModule("raw");

/**
 * Plain `.sql` files with stagecraft's own bookkeeping table.
 * `configSchema` is given in the main thread only (index.ts), which validates the config;
 * the engine itself reads its settings without zod (settings.ts).
 */
export function defineRawEngine(configSchema: ZodType | undefined): Engine {
  const rawEngine = lazyEngine("raw", configSchema, () => import("./raw-engine.js"), { resolvable: true, runsUserCode: false, workerModule: WORKER_MODULE });

  rawEngine.oneCommitPerRun = (config) => config.transaction_mode === "all";
  // Offline SQL sources (stagecraft lint), imported on first use like the engine itself.
  rawEngine.sources = async (opts) => (await import("./raw-sources.js")).sources(opts);
  // `migrate baseline`, imported on first use like the engine itself.
  rawEngine.baseline = async (opts) => (await import("./raw-baseline.js")).baseline(opts);
  // `stagecraft validate` and `stagecraft new`.
  rawEngine.check = async (opts) => (await import("./raw-check.js")).check(opts);
  rawEngine.newMigration = async (opts) => (await import("./raw-new.js")).newMigration(opts);
  return rawEngine;
}
