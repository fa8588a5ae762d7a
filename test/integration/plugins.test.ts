import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { loadConfig, PLUGIN_IMPORT_TIMEOUT_MS, runAll } from "../helpers/stagecraft.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A project whose config lists `plugin.mjs`, with one raw database and one on `engine`. */
function pluginProject(plugin: string, engine = "raw") {
  const p = tempProject();
  cleanups.push(p.cleanup);
  p.write("plugin.mjs", plugin);
  p.write("migrations/001_t.sql", "CREATE TABLE t (id INT);\n");
  const file = p.write("stagecraft.yml", stringify({
    plugins: ["./plugin.mjs"],
    databases: {
      custom: { connection_env: "DB", migrations: { engine, path: "./migrations" } },
      plain: { connection_env: "DB", migrations: { engine: "raw", path: "./migrations" } },
    },
  }));
  return { dir: p.dir, file, plugin: `${p.dir}/plugin.mjs` };
}

const BOUND = PLUGIN_IMPORT_TIMEOUT_MS + 20_000;
/** What `import "stagecraft"` resolves to inside the package; these plugins live outside it. */
const STAGECRAFT = pathToFileURL(new URL("../../dist/src/index.js", import.meta.url).pathname).href;
const TIMED_OUT = `did not finish loading within ${PLUGIN_IMPORT_TIMEOUT_MS} ms: a top-level await in it (or in a module it imports) never settled`;

describe("plugin modules", () => {
  it("a top-level await that never settles is reported (not exit 13 without a word)", async () => {
    const { dir, plugin } = pluginProject("await new Promise(() => undefined);\n");
    const result = await runCli(["validate"], dir, { DB: "sqlite::memory:" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`plugin ${plugin} ${TIMED_OUT}`);
    expect(result.stderr).toContain("plugins.0");
  }, BOUND);

  it("a plugin import that hangs is bounded, and the CLI exits although the plugin keeps a timer alive", async () => {
    const { dir, file, plugin } = pluginProject("await new Promise(() => setInterval(() => undefined, 1000));\n");
    await expect(loadConfig(file, { env: { DB: "sqlite::memory:" } })).rejects.toThrow(`plugin ${plugin} ${TIMED_OUT}`);
    const result = await runCli(["migrate"], dir, { DB: "sqlite::memory:" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`plugin ${plugin} ${TIMED_OUT}`);
  }, 2 * BOUND);

  it("a plugin that hangs only in worker threads fails its databases there, within the bound", async () => {
    const { file, plugin } = pluginProject([
      'import { isMainThread } from "node:worker_threads";',
      `import { register } from "${STAGECRAFT}";`,
      "if (!isMainThread) await new Promise(() => setInterval(() => undefined, 1000));",
      'register({ id: "hangs-in-workers", plan: async () => [], run: async () => ({ applied: [] }) });',
    ].join("\n"), "hangs-in-workers");
    const report = await runAll(file, { env: { DB: "sqlite::memory:" } });
    expect(report.databases.map((d) => [d.name, d.status])).toEqual([["custom", "failed"], ["plain", "succeeded"]]);
    expect(report.databases[0]?.error?.message).toBe(`database custom: plugin ${plugin} ${TIMED_OUT}`);
  }, BOUND);

  it("an exported engine whose ID is taken is reported, not silently ignored", async () => {
    const { file, plugin } = pluginProject("export default { id: 'raw', plan: async () => [], run: async () => ({ applied: [] }) };\n");
    await expect(loadConfig(file, { env: {} })).rejects.toThrow(`plugin ${plugin} exports engine "raw", but an engine with that ID is already registered (a built-in engine, or one registered before the config was loaded); rename one of them`);
  });

  it("an engine a plugin only exports (default export) runs in worker threads too", async () => {
    const { file } = pluginProject("export default { id: 'exported-only', plan: async () => [{ id: '001', description: 'x', applied: false }], run: async () => ({ applied: ['001'] }) };\n", "exported-only");
    const report = await runAll(file, { env: { DB: "sqlite::memory:" } });
    expect(report.databases.map((d) => [d.name, d.status, d.applied])).toEqual([["custom", "succeeded", ["001"]], ["plain", "succeeded", ["001_t"]]]);
  });
});
