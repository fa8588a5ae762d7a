import { StagecraftError } from "../errors.js";
import type { Engine } from "./engine.js";

/** Says what is wrong with `value` as an engine, or returns undefined when it is one. */
export function engineShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") {
    return `an engine must be an object with id, plan and run; got ${value === null ? "null" : typeof value}`;
  }
  const candidate = value as Partial<Record<keyof Engine, unknown>>;
  if (typeof candidate.id !== "string") return "an engine needs a string id";
  if (candidate.id.trim() === "") return "engine id must not be empty";
  if (candidate.id !== candidate.id.trim()) return `engine id "${candidate.id}" has leading or trailing spaces`;
  for (const method of ["plan", "run"] as const) {
    if (typeof candidate[method] !== "function") {
      return `engine "${candidate.id}" has no ${method}() function`;
    }
  }
  if (candidate.resolve !== undefined && typeof candidate.resolve !== "function") {
    return `engine "${candidate.id}": resolve must be a function when present`;
  }
  if (candidate.baseline !== undefined && typeof candidate.baseline !== "function") {
    return `engine "${candidate.id}": baseline must be a function when present`;
  }
  if (candidate.sources !== undefined && typeof candidate.sources !== "function") {
    return `engine "${candidate.id}": sources must be a function when present`;
  }
  for (const method of ["check", "newMigration", "oneCommitPerRun"] as const) {
    if (candidate[method] !== undefined && typeof candidate[method] !== "function") return `engine "${candidate.id}": ${method} must be a function when present`;
  }
  if (candidate.runsUserCode !== undefined && typeof candidate.runsUserCode !== "boolean") {
    return `engine "${candidate.id}": runsUserCode must be true or false when present`;
  }
  if (candidate.workerModule !== undefined && typeof candidate.workerModule !== "string") {
    return `engine "${candidate.id}": workerModule must be a module URL (a string) when present`;
  }
  const schema = candidate.configSchema as { safeParse?: unknown } | undefined;
  if (schema !== undefined && typeof schema?.safeParse !== "function") {
    return `engine "${candidate.id}": configSchema must be a zod schema`;
  }
  return undefined;
}

/** Engines by ID. Lookups are plain Map reads: the registry sits on the dispatch hot path. */
export class Registry {
  readonly #engines = new Map<string, Engine>();

  register(engine: Engine): void {
    const problem = engineShapeProblem(engine);
    if (problem !== undefined) throw new StagecraftError("invalid_config", `cannot register engine: ${problem}`);
    if (this.#engines.has(engine.id)) {
      throw new StagecraftError("invalid_config", `cannot register engine: an engine with id "${engine.id}" is already registered`);
    }
    this.#engines.set(engine.id, engine);
  }

  get(id: string): Engine {
    const engine = this.#engines.get(id);
    if (engine === undefined) {
      throw new StagecraftError("invalid_config", `unknown migration engine "${id}"; available engines: [${this.ids().join(", ")}]`);
    }
    return engine;
  }

  has(id: string): boolean {
    return this.#engines.has(id);
  }

  /** Registered IDs, sorted. */
  ids(): string[] {
    return [...this.#engines.keys()].sort();
  }
}
