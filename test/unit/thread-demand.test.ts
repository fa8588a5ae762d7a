// How many threads a one-shot call asks for: SQLite work that barely waits on the disk gets one
// alone thread per core at most (threadDemand), whatever the machine's core count.
import { describe, expect, it } from "vitest";
import type { DatabaseConfig } from "../../src/config/load.js";
import type { Engine } from "../../src/registry/engine.js";
import { threadDemand } from "../../src/runner/placement.js";
import type { Placement } from "../../src/runner/worker-pool.js";

const engine = (id: string, oneCommitPerRun?: Engine["oneCommitPerRun"]): Engine => ({ id, plan: async () => [], run: async () => ({ applied: [] }), ...(oneCommitPerRun ? { oneCommitPerRun } : {}) });
const ENGINES = new Map<string, Engine | undefined>([
  ["once", engine("once", (config) => config.all === true)],
  ["per-migration", engine("per-migration")],
  ["throws", engine("throws", () => {
    throw new Error("a plugin's bug");
  })],
  ["worker-only", undefined],
]);

function db(name: string, engineId: string, engineConfig: Record<string, unknown> = {}): DatabaseConfig {
  return { name, connectionEnv: `DB_${name}`, engine: engineId, migrationPath: "/m", strategy: "pre_deploy", lockTimeoutMs: 1000, engineConfig };
}

/** `n` SQLite databases of one engine, alone in their threads. */
function sqlite(n: number, engineId: string, engineConfig: Record<string, unknown> = {}) {
  const selected = Array.from({ length: n }, (_, i) => db(`d${i}`, engineId, engineConfig));
  return { selected, places: selected.map((): Placement => "alone"), servers: selected.map(() => undefined) };
}

describe.each([2, 8, 64])("threadDemand on %i cores", (cores) => {
  const demand = (mode: Parameters<typeof threadDemand>[0], direction: "up" | "down", fleet: ReturnType<typeof sqlite>) => threadDemand(mode, direction, fleet.selected, fleet.places, fleet.servers, ENGINES, cores);

  it("caps a plan and a baseline at one thread per core, whatever the engine", () => {
    expect(demand("plan", "up", sqlite(500, "per-migration"))).toEqual({ sqlite: 500, otherAlone: 0, shared: 0, maxAlone: cores });
    expect(demand("baseline", "up", sqlite(500, "worker-only"))).toEqual({ sqlite: 500, otherAlone: 0, shared: 0, maxAlone: cores });
  });

  it("caps a run up only when every SQLite database's engine commits once with its config", () => {
    expect(demand("run", "up", sqlite(100, "once", { all: true })).maxAlone).toBe(cores);
    expect(demand("run", "up", sqlite(100, "once", { all: false })).maxAlone).toBeUndefined();
    expect(demand("run", "up", sqlite(100, "per-migration")).maxAlone).toBeUndefined();
    // An engine the calling thread does not know (registered in the workers only) gives no hint.
    expect(demand("run", "up", sqlite(100, "worker-only")).maxAlone).toBeUndefined();
    const mixed = sqlite(100, "once", { all: true });
    mixed.selected[50] = db("d50", "per-migration");
    expect(demand("run", "up", mixed).maxAlone).toBeUndefined();
  });

  it("a hint that throws counts as a commit per migration instead of failing the call", () => {
    expect(demand("run", "up", sqlite(100, "throws")).maxAlone).toBeUndefined();
  });

  it("keeps two threads per core for down runs, and for calls with a database alone on a server", () => {
    expect(demand("run", "down", sqlite(100, "once", { all: true })).maxAlone).toBeUndefined();
    const fleet = sqlite(100, "once", { all: true });
    fleet.servers[0] = "db.internal:5432";
    expect(demand("run", "up", fleet)).toEqual({ sqlite: 99, otherAlone: 1, shared: 0 });
    expect(demand("plan", "up", fleet).maxAlone).toBeUndefined();
  });

  it("counts shared and in-process databases apart; no SQLite database, no cap", () => {
    const places: Placement[] = ["shared", "shared", "in-process"];
    const selected = places.map((_, i) => db(`s${i}`, "once", { all: true }));
    expect(threadDemand("plan", "up", selected, places, ["a:5432", "a:5432", undefined], ENGINES, cores)).toEqual({ sqlite: 0, otherAlone: 0, shared: 2 });
  });
});
