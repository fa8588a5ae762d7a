import type { Engine } from "./engine.js";
import { Registry } from "./registry.js";

/** One registry per thread across copies of this module: the command runs from a bundle while a plugin's `register` comes from the package. */
const REGISTRY = Symbol.for("stagecraft.defaultRegistry");

/**
 * The process-wide (per thread) registry. Built-in engines and plugin modules register here
 * when imported, so every worker thread that imports the same modules holds the same engines.
 */
export const defaultRegistry: Registry = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= new Registry()) as Registry;

export function register(engine: Engine): void {
  defaultRegistry.register(engine);
}

export function get(id: string): Engine {
  return defaultRegistry.get(id);
}

export function has(id: string): boolean {
  return defaultRegistry.has(id);
}

export function ids(): string[] {
  return defaultRegistry.ids();
}
