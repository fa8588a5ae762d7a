import type { ZodType } from "zod";
import type { Engine } from "../registry/engine.js";
import { once } from "../util/once.js";

type EngineMethods = Pick<Engine, "plan" | "run"> & Partial<Pick<Engine, "resolve">>;
/** What the runner needs to know to place the engine's databases (see {@link Engine}). */
type EngineTraits = Required<Pick<Engine, "runsUserCode" | "workerModule">>;

/**
 * An engine whose implementation (and its database clients) is imported on first use, so
 * registering every built-in engine costs a thread almost nothing.
 */
export function lazyEngine(id: string, configSchema: ZodType, importImpl: () => Promise<EngineMethods>, resolvable: boolean, traits: EngineTraits): Engine {
  const load = once(importImpl);
  const engine: Engine = {
    id,
    ...traits,
    configSchema,
    plan: async (opts) => (await load()).plan(opts),
    run: async (opts) => (await load()).run(opts),
  };
  if (resolvable) {
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
