import type { ZodType } from "zod";
import type { Engine } from "../registry/engine.js";
import { once } from "../util/once.js";

type EngineMethods = Pick<Engine, "plan" | "run"> & Partial<Pick<Engine, "resolve">>;

export interface LazyEngineOptions {
  /** The implementation has `resolve`. */
  resolvable: boolean;
  serverWideLock?: Engine["serverWideLock"];
  /** See {@link Engine.runsUserCode}. */
  runsUserCode: boolean;
  /** See {@link Engine.workerModule}: the URL of the module that registers this engine. */
  workerModule: string;
}

/**
 * An engine whose implementation (and its database clients) is imported on first use, so
 * registering every built-in engine costs the library almost nothing. In the worker threads'
 * bundle (scripts/bundle.mjs) the implementations that need no outside package sit in its core
 * chunk and load with the thread; the database clients and knex's implementation stay lazy.
 */
export function lazyEngine(id: string, configSchema: ZodType | undefined, importImpl: () => Promise<EngineMethods>, options: LazyEngineOptions): Engine {
  const load = once(importImpl);
  const engine: Engine = {
    id,
    runsUserCode: options.runsUserCode,
    workerModule: options.workerModule,
    ...(configSchema === undefined ? {} : { configSchema }),
    ...(options.serverWideLock ? { serverWideLock: options.serverWideLock } : {}),
    plan: async (opts) => (await load()).plan(opts),
    run: async (opts) => (await load()).run(opts),
  };
  if (options.resolvable) {
    return {
      ...engine,
      resolve: async (opts) => {
        const impl = await load();
        if (impl.resolve === undefined) throw new Error(`engine ${id} lost its resolve()`);
        return impl.resolve(opts);
      },
    };
  }
  return engine;
}
