import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type TestDatabase } from "../helpers/servers.js";
import { runAll } from "../helpers/stagecraft.js";

const dialects = await availableDialects();
const PLUGIN = fileURLToPath(new URL("../fixtures/plugins/fixture-engines.mjs", import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const BAD = {
  throws: { behaviour: "throw" },
  exits: { behaviour: "exit" },
  uncaught: { behaviour: "uncaught" },
  "out-of-memory": { behaviour: "oom" },
  hangs: { behaviour: "hang", migration_timeout_ms: 500 },
};

function crashProject(goodUrls: Record<string, string>, badUrl: string, bad: Record<string, Record<string, unknown>> = BAD) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  p.write("migrations/001_t.sql", "CREATE TABLE t (id INT);\n");
  const databases: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  for (const [name, settings] of Object.entries(bad)) {
    databases[name] = { connection_env: "BAD_URL", migrations: { engine: "fixture", path: "./migrations", ...settings } };
  }
  env.BAD_URL = badUrl;
  for (const [name, url] of Object.entries(goodUrls)) {
    databases[name] = { connection_env: `URL_${name.toUpperCase()}`, migrations: { engine: "raw", path: "./migrations" } };
    env[`URL_${name.toUpperCase()}`] = url;
  }
  const file = p.write("stagecraft.yml", stringify({ plugins: [PLUGIN], databases }));
  return { dir: p.dir, file, env };
}

function expectCrashReports(report: Awaited<ReturnType<typeof runAll>>, good: string[]) {
  const by = new Map(report.databases.map((d) => [d.name, d]));
  for (const name of good) expect({ name, status: by.get(name)?.status, applied: by.get(name)?.applied }).toEqual({ name, status: "succeeded", applied: ["001_t"] });
  expect(by.get("throws")?.error).toMatchObject({ kind: "internal", message: "database throws: fixture engine failed on purpose" });
  expect(by.get("exits")?.error?.message).toMatch(/^database exits: the worker thread running engine fixture died/);
  expect(by.get("uncaught")?.error?.message).toBe("database uncaught: the worker thread running engine fixture died: fixture engine crashed its thread");
  expect(by.get("out-of-memory")?.error?.message).toMatch(/^database out-of-memory: the worker thread running engine fixture died: .*(memory|heap)/i);
  expect(by.get("hangs")?.error).toMatchObject({ kind: "migration_timeout", migration: "001_fixture" });
}

describe("crashing migrations and engines", () => {
  it("throw, process.exit, an uncaught error, out of memory and a hang each fail their database only (SQLite fleet)", async () => {
    const good = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`good${i}`, `sqlite:./good${i}.db`]));
    const { file, env } = crashProject(good, "sqlite::memory:");
    const report = await runAll(file, { env, maxThreads: 2, workerMemoryMb: 64 });
    expectCrashReports(report, Object.keys(good));
    expect(report.summary).toEqual({ total: 11, succeeded: 6, failed: 5, skipped: 0, cancelled: 0 });
  });

  it.runIf(dialects.includes("postgres"))("server databases that shared a thread with a crashing engine are retried alone and succeed", async () => {
    const dbs: TestDatabase[] = [];
    const project = tempProject();
    cleanups.push(project.cleanup);
    for (let i = 0; i < 6; i++) {
      const db = await createDatabase("postgres", project.dir);
      cleanups.push(db.drop);
      dbs.push(db);
    }
    const good = Object.fromEntries(dbs.map((db, i) => [`pg${i}`, db.url]));
    const bad = dbs[0]!.url;
    const { file, env } = crashProject(good, bad);
    const report = await runAll(file, { env, maxThreads: 2, concurrency: 10, workerMemoryMb: 64 });
    expectCrashReports(report, Object.keys(good));
    for (const db of dbs) expect(await db.query("SELECT * FROM stagecraft_migrations")).toHaveLength(1);
  });

  it("the CLI reports them, exits 2 and does not hang", async () => {
    const good = { good0: "sqlite:./good0.db" };
    // Out of memory is left out here: with the default 2 GiB worker heap it is slow, not different.
    const { "out-of-memory": _oom, ...bad } = BAD;
    const { dir, env } = crashProject(good, "sqlite::memory:", bad);
    const result = await runCli(["migrate", "--json"], dir, env);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.summary.failed).toBe(4);
    expect(report.databases.find((d: { name: string }) => d.name === "good0").status).toBe("succeeded");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
