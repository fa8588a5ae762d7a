import { Registry, type Engine } from "../src/index.js";
import { fmt, median, type Bench, type Figure } from "./harness.js";

const LOOKUPS = 2_000_000;
const ROUNDS = 7;

function engines(count: number): Engine[] {
  return Array.from({ length: count }, (_, i) => ({ id: `engine-${i}`, plan: async () => [], run: async () => ({ applied: [] }) }));
}

/** ops/s of `fn` over `keys`, median of ROUNDS rounds. The sink keeps the JIT from dropping the loop. */
function opsPerSecond(keys: string[], fn: (key: string) => unknown, lookups = LOOKUPS): number {
  const rates: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < lookups; i++) if (fn(keys[i % keys.length]!)) sink++;
    rates.push(lookups / ((performance.now() - start) / 1000));
  }
  if (sink === -1) throw new Error("unreachable");
  return median(rates);
}

export const registryLookup: Bench = {
  name: "registry-lookup",
  question: "How fast are registry lookups (get, has, unknown id) next to a bare Map.get over the same keys?",
  async run() {
    const figures: Figure[] = [];
    for (const count of [4, 50]) {
      const list = engines(count);
      const registry = new Registry();
      const map = new Map<string, Engine>();
      for (const engine of list) {
        registry.register(engine);
        map.set(engine.id, engine);
      }
      const keys = list.map((e) => e.id);
      // Warm both paths, then measure them interleaved.
      opsPerSecond(keys, (k) => map.get(k));
      opsPerSecond(keys, (k) => registry.get(k));
      const bare = opsPerSecond(keys, (k) => map.get(k));
      const get = opsPerSecond(keys, (k) => registry.get(k));
      const has = opsPerSecond(keys, (k) => registry.has(k));
      const unknown = opsPerSecond(["nope"], (k) => {
        try {
          return registry.get(k);
        } catch {
          return undefined;
        }
      }, 20_000);
      figures.push(
        { bench: this.name, metric: `get vs Map.get, ${count} engines`, value: get / bare, unit: "×", target: "≥ 0.95×", pass: get / bare >= 0.95, detail: `get ${fmt(get / 1e6)} M/s, Map.get ${fmt(bare / 1e6)} M/s` },
        { bench: this.name, metric: `has vs Map.get, ${count} engines`, value: has / bare, unit: "×", target: "—", detail: `has ${fmt(has / 1e6)} M/s` },
        { bench: this.name, metric: `unknown id (throws, lists ids), ${count} engines`, value: unknown / 1e3, unit: "k/s", target: "—", detail: "error path: builds the message with every id" },
      );
    }
    return figures;
  },
};
