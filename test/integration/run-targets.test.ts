import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";
import { get, type PlanOptions, type PlanResult } from "../helpers/stagecraft.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const knexFile = (table: string) => `exports.up = (knex) => knex.schema.createTable("${table}", (t) => t.integer("id"));\nexports.down = (knex) => knex.schema.dropTable("${table}");\n`;
const REVERSIBLE = {
  raw: {
    files: { "001_a.sql": "CREATE TABLE a (id INT);", "001_a.down.sql": "DROP TABLE a;", "002_b.sql": "CREATE TABLE b (id INT);", "002_b.down.sql": "DROP TABLE b;", "003_c.sql": "CREATE TABLE c (id INT);", "003_c.down.sql": "DROP TABLE c;" },
    ids: ["001_a", "002_b", "003_c"],
  },
  knex: { files: { "001_a.js": knexFile("a"), "002_b.js": knexFile("b"), "003_c.js": knexFile("c") }, ids: ["001_a.js", "002_b.js", "003_c.js"] },
};

async function project(dialect: Dialect, engine: string, files: Record<string, string>): Promise<EngineProject> {
  const p = await engineProject(dialect, engine, files);
  projects.push(p);
  return p;
}

/** The engine's own plan with a preview target, as `stagecraft migrate --plan --down` asks for it. */
async function preview(p: EngineProject, engine: string, target: Pick<PlanOptions, "direction" | "steps" | "to">): Promise<PlanResult> {
  const result = await get(engine).plan({
    config: {}, migrationPath: join(p.dir, "migrations"), connectionEnv: "MAIN_URL", url: p.db.url, workDir: p.dir, database: "main", lockTimeoutMs: 5_000, signal: new AbortController().signal, ...target,
  });
  return Array.isArray(result) ? { migrations: result } : result;
}

const marks = (result: PlanResult) => result.migrations.map((m) => [m.id, m.action ?? null]);

describe.each(dialects)("run targets on %s", (dialect) => {
  it.each(Object.keys(REVERSIBLE) as (keyof typeof REVERSIBLE)[])("%s: applies up to a target, previews and reverts down to one", async (engine) => {
    const { files, ids } = REVERSIBLE[engine];
    const [a, b, c] = ids as [string, string, string];
    const p = await project(dialect, engine, files);
    expect(marks(await preview(p, engine, { direction: "up", to: b }))).toEqual([[a, "apply"], [b, "apply"], [c, null]]);
    expect(only(await p.run({ to: b })).applied).toEqual([a, b]);
    expect(only(await p.run({ to: b })).applied).toEqual([]);
    expect(only(await p.run()).applied).toEqual([c]);

    expect(marks(await preview(p, engine, { direction: "down", steps: 1 }))).toEqual([[a, null], [b, null], [c, "revert"]]);
    expect(marks(await preview(p, engine, { direction: "down", to: a }))).toEqual([[a, null], [b, "revert"], [c, "revert"]]);
    // A preview changes nothing.
    expect(only(await p.plan()).migrations.map((m) => m.state)).toEqual(["applied", "applied", "applied"]);
    const down = only(await p.run({ direction: "down", to: a }));
    expect(down.applied).toEqual([c, b]);
    expect(down.migrations.map((m) => m.state)).toEqual(["applied", "pending", "pending"]);

    const unknown = only(await p.run({ to: "009_nope" }));
    expect(unknown.error).toMatchObject({ kind: "invalid_config", migration: "009_nope" });
    expect(unknown.error?.message).toBe(`database main: no migration 009_nope in ${join(p.dir, "migrations")}`);
    const notApplied = only(await p.run({ direction: "down", to: c }));
    expect(notApplied.error?.message).toBe(`database main: cannot revert down to ${c}: it is not applied`);
  });

  it.each([
    ["drizzle", { "20240101000000_a/migration.sql": "CREATE TABLE a (id INT);", "20240102000000_b/migration.sql": "CREATE TABLE b (id INT);" }, ["20240101000000_a", "20240102000000_b"]],
    ["prisma", { "20240101000000_a/migration.sql": "CREATE TABLE a (id INT);", "20240102000000_b/migration.sql": "CREATE TABLE b (id INT);" }, ["20240101000000_a", "20240102000000_b"]],
  ] as const)("%s: applies up to a target; a down preview says it cannot revert", async (engine, files, [a, b]) => {
    const p = await project(dialect, engine, files);
    expect(only(await p.run({ to: a })).applied).toEqual([a]);
    const down = await preview(p, engine, { direction: "down", steps: 1 });
    expect(down.migrations.map((m) => [m.id, m.state])).toEqual([[a, "applied"], [b, "pending"]]);
    expect(down.blocked).toMatchObject({ kind: "unsupported" });
  });
});
