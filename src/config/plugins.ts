import { pathToFileURL } from "node:url";
import { StagecraftError } from "../errors.js";
import { engineShapeProblem, type Registry } from "../registry/registry.js";
import type { Engine } from "../registry/engine.js";
import { firstLine } from "../util/text.js";

/**
 * Longest wait for a plugin module to finish loading. A top-level `await` that never settles
 * would otherwise hang the run (or, with nothing else pending, end the process with exit code
 * 13 and no word).
 */
export const PLUGIN_IMPORT_TIMEOUT_MS = 10_000;

export interface PluginFailure {
  index: number;
  message: string;
}

/**
 * Imports plugin modules in order. A plugin registers its engines when imported
 * (`register(engine)`); a module that instead exports its engines (`default` or `engines`) has
 * them registered here, which also covers a plugin that resolved another copy of stagecraft.
 * Returns one failure per module that could not be used; never throws.
 */
export async function loadPlugins(paths: readonly string[], registry: Registry, timeoutMs = PLUGIN_IMPORT_TIMEOUT_MS): Promise<PluginFailure[]> {
  const failures: PluginFailure[] = [];
  const registeredBy = new Map<string, string>();
  for (const [index, path] of paths.entries()) {
    const before = new Set(registry.ids());
    let module: Record<string, unknown>;
    try {
      module = (await importModule(pathToFileURL(path).href, timeoutMs)) as Record<string, unknown>;
    } catch (error) {
      failures.push({ index, message: (error as Error).message });
      continue;
    }
    for (const id of registry.ids()) if (!before.has(id)) registeredBy.set(id, path);
    for (const engine of exportedEngines(module)) {
      const problem = engineShapeProblem(engine);
      if (problem !== undefined) failures.push({ index, message: `plugin ${path} exports an invalid engine: ${problem}` });
      else if (!registry.has(engine.id)) registry.register(engine);
      else if (registry.get(engine.id) !== engine && registeredBy.get(engine.id) !== path) {
        // The same module may both register an engine and export it; another one with a taken ID is a clash.
        const owner = registeredBy.get(engine.id);
        failures.push({ index, message: `plugin ${path} exports engine "${engine.id}", but an engine with that ID is already registered${owner === undefined ? " (a built-in engine, or one registered before the config was loaded)" : ` by plugin ${owner}`}; rename one of them` });
      }
    }
  }
  return failures;
}

/**
 * Imports a module (a plugin, an engine's module), bounded by `timeoutMs`. Rejects with a
 * message that names the module and says what went wrong.
 */
export async function importModule(url: string, timeoutMs = PLUGIN_IMPORT_TIMEOUT_MS, label = "plugin"): Promise<unknown> {
  const path = url.startsWith("file:") ? decodeURIComponent(new URL(url).pathname) : url;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StagecraftError("invalid_config", `${label} ${path} did not finish loading within ${timeoutMs} ms: a top-level await in it (or in a module it imports) never settled`, {
      hint: "make the module finish loading, and do slow work when the engine runs",
    })), timeoutMs);
  });
  try {
    return await Promise.race([import(url), timeout]);
  } catch (error) {
    if (error instanceof StagecraftError) throw error;
    const message = firstLine(String((error as Error)?.message ?? error)).replace(/ imported from \S+$/, "");
    throw new StagecraftError("invalid_config", `cannot import ${label} ${path}: ${message}`, { hint: "fix the module, or remove it from `plugins:`" });
  } finally {
    clearTimeout(timer);
  }
}

function exportedEngines(module: Record<string, unknown>): Engine[] {
  const candidates = [module.default, module.engines].flatMap((value) => (Array.isArray(value) ? value : value === undefined ? [] : [value]));
  return candidates.filter((value): value is Engine => value !== null && typeof value === "object" && "id" in value);
}
