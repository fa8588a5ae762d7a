import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Registry, StagecraftError, defaultRegistry, get, has, ids, type Engine } from "../helpers/stagecraft.js";

const engine = (id: string): Engine => ({ id, plan: async () => [], run: async () => ({ applied: [] }) });

describe("Registry", () => {
  it("registers and returns engines by id", () => {
    const registry = new Registry();
    const raw = engine("raw");
    registry.register(raw);
    expect(registry.get("raw")).toBe(raw);
    expect(registry.has("raw")).toBe(true);
    expect(registry.has("nope")).toBe(false);
  });

  it("lists ids sorted", () => {
    const registry = new Registry();
    for (const id of ["prisma", "drizzle", "raw", "knex"]) registry.register(engine(id));
    expect(registry.ids()).toEqual(["drizzle", "knex", "prisma", "raw"]);
  });

  it("rejects a duplicate id", () => {
    const registry = new Registry();
    registry.register(engine("raw"));
    expect(() => registry.register(engine("raw"))).toThrow('cannot register engine: an engine with id "raw" is already registered');
  });

  it.each([
    [engine(""), "cannot register engine: engine id must not be empty"],
    [engine("  "), "cannot register engine: engine id must not be empty"],
    [engine(" raw"), 'cannot register engine: engine id " raw" has leading or trailing spaces'],
    [null, "cannot register engine: an engine must be an object with id, plan and run; got null"],
    [{ id: 7 }, "cannot register engine: an engine needs a string id"],
    [{ id: "x", plan: async () => [] }, 'cannot register engine: engine "x" has no run() function'],
    [{ id: "x", plan: 1, run: async () => ({ applied: [] }) }, 'cannot register engine: engine "x" has no plan() function'],
    [{ ...engine("x"), configSchema: {} }, 'cannot register engine: engine "x": configSchema must be a zod schema'],
    [{ ...engine("x"), baseline: "yes" }, 'cannot register engine: engine "x": baseline must be a function when present'],
    [{ ...engine("x"), oneCommitPerRun: true }, 'cannot register engine: engine "x": oneCommitPerRun must be a function when present'],
  ])("rejects a non-engine: %j", (value, message) => {
    expect(() => new Registry().register(value as Engine)).toThrow(message);
  });

  it("reports an unknown id with the available ids", () => {
    const registry = new Registry();
    registry.register(engine("raw"));
    registry.register(engine("knex"));
    let error: unknown;
    try {
      registry.get("foo");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StagecraftError);
    expect((error as StagecraftError).kind).toBe("invalid_config");
    expect((error as Error).message).toBe('unknown migration engine "foo"; available engines: [knex, raw]');
  });

  it("the default registry holds the built-in engines and is exposed through module functions", () => {
    expect(ids()).toEqual(defaultRegistry.ids());
    expect(has("raw")).toBe(true);
    expect(get("raw").id).toBe("raw");
  });

  it("stays consistent under thousands of interleaved async registrations and lookups", async () => {
    const registry = new Registry();
    const seen: string[] = [];
    await Promise.all(Array.from({ length: 4000 }, async (_, i) => {
      await Promise.resolve();
      if (i % 4 === 0) registry.register(engine(`e${i}`));
      else {
        await new Promise((r) => setImmediate(r));
        const id = `e${i - (i % 4)}`;
        if (registry.has(id)) seen.push(registry.get(id).id);
      }
    }));
    expect(registry.ids()).toHaveLength(1000);
    expect(new Set(registry.ids()).size).toBe(1000);
    expect(seen.every((id) => registry.has(id))).toBe(true);
  });

  it("answers lookups in several worker threads at once, each registry filled by importing the engine modules", async () => {
    const url = new URL("../../dist/src/index.js", import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      import(workerData.url).then((m) => {
        let hits = 0;
        for (let i = 0; i < 20000; i++) if (m.get("raw").id === "raw" && m.has("raw")) hits++;
        let unknown = "";
        try { m.get("nope"); } catch (e) { unknown = e.message; }
        parentPort.postMessage({ hits, ids: m.ids(), unknown });
      });`;
    const results = await Promise.all(Array.from({ length: 6 }, () => new Promise<{ hits: number; ids: string[]; unknown: string }>((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { url } });
      worker.once("message", resolve);
      worker.once("error", reject);
    })));
    for (const result of results) {
      expect(result.hits).toBe(20000);
      expect(result.ids).toEqual(ids());
      expect(result.unknown).toContain("available engines: [");
    }
  });
});
