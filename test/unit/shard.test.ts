import { describe, expect, it } from "vitest";
import { inShard, parseShard, shardOf } from "../../src/fleet/shard.js";
import { selectDatabases } from "../../src/runner/select.js";
import type { DatabaseConfig } from "../../src/config/load.js";

const NAMES = Array.from({ length: 5_000 }, (_, i) => `tenant_${String(i).padStart(5, "0")}`);

describe("shards", () => {
  it("are disjoint and cover every name exactly once, for N = 1..16 over 5,000 names", () => {
    for (let count = 1; count <= 16; count++) {
      // Each name's owner, then every shard's members: a name in two shards or in none shows up here.
      const seen = new Map<string, number>();
      const sizes = new Array<number>(count).fill(0);
      for (const name of NAMES) {
        const owner = shardOf(name, count);
        sizes[owner]!++;
        for (let index = 0; index < count; index++) if (inShard(name, { index, count })) seen.set(name, (seen.get(name) ?? 0) + 1);
      }
      expect(seen.size).toBe(NAMES.length);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      // Balanced: no shard more than 25 % off the even share (binomial spread is ~5 % here).
      for (const size of sizes) expect(Math.abs(size - NAMES.length / count)).toBeLessThan(0.25 * (NAMES.length / count));
    }
  });

  it("adding a database moves no other; adding a shard moves about 1/(N+1) of the names, all to the new shard", () => {
    const before = new Map(NAMES.map((name) => [name, shardOf(name, 8)]));
    const grown = [...NAMES, "tenant_new"];
    for (const name of NAMES) expect(shardOf(name, 8)).toBe(before.get(name));
    expect(grown.filter((name) => shardOf(name, 8) !== before.get(name) && name !== "tenant_new")).toEqual([]);
    for (let count = 1; count < 16; count++) {
      const moved = NAMES.filter((name) => shardOf(name, count) !== shardOf(name, count + 1));
      expect(moved.every((name) => shardOf(name, count + 1) === count)).toBe(true);
      const share = moved.length / NAMES.length;
      expect(Math.abs(share - 1 / (count + 1))).toBeLessThan(0.3 / (count + 1));
    }
  });

  it("is the same value on every machine (pinned)", () => {
    expect(NAMES.slice(0, 12).map((name) => shardOf(name, 4))).toMatchInlineSnapshot(`
      [
        2,
        1,
        1,
        2,
        2,
        1,
        3,
        1,
        2,
        1,
        0,
        0,
      ]
    `);
  });

  it("parses K/N (K from 0) and auto/N from JOB_COMPLETION_INDEX; refuses the rest", () => {
    expect(parseShard("0/4")).toEqual({ index: 0, count: 4 });
    expect(parseShard(" 3 / 4 ")).toEqual({ index: 3, count: 4 });
    expect(parseShard("auto/4", { JOB_COMPLETION_INDEX: "2" })).toEqual({ index: 2, count: 4 });
    expect(() => parseShard("4/4")).toThrow("shard 4/4 is out of range: K is 0-based, from 0 to 3");
    expect(() => parseShard("0/0")).toThrow("the shard count must be a whole number ≥ 1 (got 0)");
    expect(() => parseShard("1of4")).toThrow('shard "1of4" is not K/N or auto/N (K is 0-based: 0/4 … 3/4)');
    expect(() => parseShard("auto/4", {})).toThrow("shard auto/4 reads JOB_COMPLETION_INDEX, which is not set (Kubernetes sets it in pods of an Indexed Job)");
    expect(() => parseShard("auto/4", { JOB_COMPLETION_INDEX: "x" })).toThrow('shard auto/4 reads JOB_COMPLETION_INDEX, which is "x", not a whole number');
    expect(() => parseShard("auto/4", { JOB_COMPLETION_INDEX: "4" })).toThrow("shard 4/4 is out of range");
  });

  it("narrows the selection after tags and exclusions; an empty shard is not a problem", () => {
    const db = (name: string, tags: string[]): DatabaseConfig => ({ name, connectionEnv: "X", engine: "raw", migrationPath: "/m", strategy: "pre_deploy", lockTimeoutMs: 1, engineConfig: {}, tags });
    const all = NAMES.slice(0, 40).map((name, i) => db(name, i % 2 === 0 ? ["even"] : []));
    const even = all.filter((d) => d.tags?.includes("even")).map((d) => d.name);
    const union: string[] = [];
    for (let index = 0; index < 3; index++) {
      const result = selectDatabases(all, { tags: ["even"], shard: { index, count: 3 } });
      if (!result.ok) throw new Error(result.problems.join());
      union.push(...result.databases.map((d) => d.name));
    }
    expect(union.sort()).toEqual(even);
    expect(selectDatabases(all.slice(0, 1), { shard: { index: 1 - shardOf(all[0]!.name, 2), count: 2 } })).toEqual({ ok: true, databases: [] });
    expect(selectDatabases(all, { shard: { index: 5, count: 2 } })).toEqual({ ok: false, problems: ["shard 5/2 is out of range: K is 0-based, from 0 to 1"] });
  });
});

describe("the shard option of the API", () => {
  it("runAll({ shard }) runs that shard only; the shards together run every database once", async () => {
    const { runAll, planAll } = await import("../helpers/stagecraft.js");
    const { tempProject } = await import("../helpers/project.js");
    const project = tempProject();
    try {
      project.write("migrations/001_a.sql", "CREATE TABLE a (id INT);\n");
      const names = Array.from({ length: 12 }, (_, i) => `db_${i}`);
      project.write("stagecraft.yml", `databases:\n  all:\n    fleet: { list: [${names.join(", ")}], url: "sqlite:./{{name}}.db" }\n    migrations: { engine: raw, path: ./migrations }\n`);
      const file = `${project.dir}/stagecraft.yml`;
      const reports = [];
      for (let index = 0; index < 3; index++) reports.push(await runAll(file, { shard: { index, count: 3 } }));
      const ran = reports.flatMap((r) => r.databases.map((db) => db.name));
      expect(ran.sort()).toEqual([...names].sort());
      expect(reports.every((r) => r.ok && r.databases.every((db) => db.applied.length === 1))).toBe(true);
      await expect(planAll(file, { shard: { index: 3, count: 3 } })).rejects.toThrow("shard 3/3 is out of range: K is 0-based, from 0 to 2");
    } finally {
      project.cleanup();
    }
  });
});
