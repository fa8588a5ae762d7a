import { pathToFileURL } from "node:url";
import { engineShapeProblem, type Registry } from "../registry/registry.js";
import type { Engine } from "../registry/engine.js";
import { firstLine } from "../util/text.js";

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
export async function loadPlugins(paths: readonly string[], registry: Registry): Promise<PluginFailure[]> {
  const failures: PluginFailure[] = [];
  for (const [index, path] of paths.entries()) {
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (error) {
      failures.push({ index, message: `cannot import plugin ${path}: ${firstLine(String((error as Error)?.message ?? error)).replace(/ imported from \S+$/, "")}` });
      continue;
    }
    for (const engine of exportedEngines(module)) {
      const problem = engineShapeProblem(engine);
      if (problem !== undefined) failures.push({ index, message: `plugin ${path} exports an invalid engine: ${problem}` });
      else if (!registry.has(engine.id)) registry.register(engine);
    }
  }
  return failures;
}

function exportedEngines(module: Record<string, unknown>): Engine[] {
  const candidates = [module.default, module.engines].flatMap((value) => (Array.isArray(value) ? value : value === undefined ? [] : [value]));
  return candidates.filter((value): value is Engine => value !== null && typeof value === "object" && "id" in value);
}
