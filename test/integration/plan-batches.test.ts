import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { tempProject } from "../helpers/project.js";
import { planAll, runAll } from "../helpers/stagecraft.js";

const RUNNER_PLUGIN = fileURLToPath(new URL("../fixtures/plugins/runner-engines.mjs", import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** `count` SQLite files sharing one raw folder of three migrations, plus the databases of `extra` (URL in `URL_<NAME>`). */
function project(count: number, extra: Record<string, unknown> = {}) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  for (let i = 1; i <= 3; i++) p.write(`migrations/00${i}_t.sql`, `CREATE TABLE t${i} (id INTEGER PRIMARY KEY);\n`);
  p.write("other/.keep", "");
  const databases: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  const add = (name: string, migrations: unknown): void => {
    databases[name] = { connection_env: `URL_${name.toUpperCase()}`, migrations };
    env[`URL_${name.toUpperCase()}`] = `sqlite:./data/${name}.db`;
  };
  for (const [name, migrations] of Object.entries(extra)) add(name, migrations);
  for (let i = 0; i < count; i++) add(`db${String(i).padStart(2, "0")}`, { engine: "raw", path: "./migrations" });
  const file = p.write("stagecraft.yml", stringify({ plugins: [RUNNER_PLUGIN], databases }));
  return { file, env };
}

describe("plans travel to the threads in batches", () => {
  it("a batched plan reports every database as a plan in this thread does, byte for byte", async () => {
    const { file, env } = project(37);
    // Some databases up to date, two half-way, the rest new: the batches carry differing plans.
    await runAll(file, { env, databases: Array.from({ length: 12 }, (_, i) => `db${String(i).padStart(2, "0")}`) });
    await runAll(file, { env, databases: ["db20", "db21"], steps: 1 });
    const batched = await planAll(file, { env, maxThreads: 2 });
    const here = await planAll(file, { env, inProcess: true });
    expect(batched.summary).toMatchObject({ total: 37, planned: 37, failed: 0 });
    expect(JSON.stringify(batched)).toBe(JSON.stringify(here));
    const pending = batched.databases.map((d) => d.migrations.filter((m) => !m.applied).length);
    expect(pending).toEqual(Array.from({ length: 37 }, (_, i) => (i < 12 ? 0 : i === 20 || i === 21 ? 2 : 3)));
  }, 60_000);

  it("a thread that dies in a batch fails only the database that ended it; its batch-mates are planned again alone", async () => {
    const { file, env } = project(20, { exits: { engine: "plan-exit", path: "./other", exit: true } });
    // One thread: the database that ends it shares a batch with others.
    const report = await planAll(file, { env, maxThreads: 1 });
    const exits = report.databases.find((d) => d.name === "exits");
    expect(exits?.status).toBe("failed");
    expect(exits?.error).toMatchObject({ kind: "internal", message: "database exits: the worker thread running engine plan-exit died: worker exited with code: 7" });
    expect(report.summary).toMatchObject({ total: 21, planned: 20, failed: 1 });
  }, 60_000);
});
