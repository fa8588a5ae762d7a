import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUILTIN_ENGINES, WORKER_FILE, engineWorkerModule } from "../../dist/src/runtime-files.js";
import { tempProjectPerTest } from "../helpers/project.js";

// Worker threads run a bundle of stagecraft's own modules (dist/worker, scripts/bundle.mjs): a
// few files to load instead of more than 50 for each thread a call starts.

const ROOT = new URL("../../", import.meta.url);
const BUNDLE = new URL("dist/worker/", ROOT);
const newProject = tempProjectPerTest();

describe("the worker threads' bundle", () => {
  it("holds the thread's entry and every built-in engine's module", () => {
    for (const url of [WORKER_FILE, BUILTIN_ENGINES, ...(["raw", "knex", "drizzle", "prisma"] as const).map(engineWorkerModule)]) {
      expect(url.startsWith(BUNDLE.href), url).toBe(true);
      expect(existsSync(fileURLToPath(url)), url).toBe(true);
    }
  });

  it("is self-contained: no file of it imports a module outside dist/worker by path", () => {
    const files = readdirSync(BUNDLE).filter((f) => f.endsWith(".js"));
    // The entry of the built-in engines imports each engine's module for its side effect alone.
    expect(readFileSync(new URL("engines-builtin.js", BUNDLE), "utf8")).toMatch(/^import "\.\/engine-raw\.js";$/m);
    for (const file of files) {
      const text = readFileSync(new URL(file, BUNDLE), "utf8");
      // Static (`from "…"`), side-effect (`import "…"`) and dynamic imports, and require().
      const relative = [...text.matchAll(/(?:\bfrom\s*|^import\s*|\bimport\(\s*|\brequire\(\s*)["'](\.[^"']*)["']/gm)].map((m) => m[1]!);
      for (const specifier of relative) expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\/[^/]+\.js$/);
    }
  });

  it("is what a thread loads: a run through the pool imports the bundle, and no engine module tsc wrote", () => {
    const p = newProject();
    p.write("m/001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n");
    const program = p.write("run.mjs", `
      import { runAll } from ${JSON.stringify(new URL("dist/src/index.js", ROOT).href)};
      const databases = ["one", "two"].map((name) => ({ name, connectionEnv: "DB_" + name, engine: "raw", migrationPath: ${JSON.stringify(`${p.dir}/m`)}, strategy: "pre_deploy", lockTimeoutMs: 5000, engineConfig: {} }));
      const report = await runAll({ file: "x.yml", dir: ${JSON.stringify(p.dir)}, plugins: [], databases }, { env: { DB_one: "sqlite:./one.db", DB_two: "sqlite:./two.db" }, inProcess: false, maxThreads: 1 });
      if (report.summary.succeeded !== 2) throw new Error(JSON.stringify(report));
    `);
    // A resolve hook in every thread (threads inherit --import) lists the files of stagecraft's dist/ that load.
    const hook = `data:text/javascript,${encodeURIComponent(`export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes("/dist/")) process.stderr.write("loaded " + r.url + "\\n"); return r; }`)}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(hook)});`)}`;
    const result = spawnSync(process.execPath, ["--import", register, program], { cwd: p.dir, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    const loaded = new Set([...result.stderr.matchAll(/^loaded (\S+)$/gm)].map((m) => m[1]!));
    // Piscina loads the entry itself with require(), which the hook does not see; the engine's module and the driver's chunk it does.
    expect(loaded).toContain(engineWorkerModule("raw"));
    expect([...loaded].some((url) => url.startsWith(`${BUNDLE.href}sqlite-driver-`))).toBe(true);
    expect([...loaded].filter((url) => url.includes("/dist/workers/") || /\/dist\/src\/engines\/[^/]+\/worker\.js$/.test(url) || url.includes("/dist/src/drivers/sqlite/"))).toEqual([]);
  });
});
