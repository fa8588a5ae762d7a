// Bundles what Node would otherwise load module by module, as tsc wrote it under dist/:
// - the `stagecraft` command (dist/src/cli/main.js) into dist/cli/: zod, yaml and commander go in;
// - the worker thread (dist/workers/worker.js) and the modules that register the built-in engines
//   in a thread into dist/worker/: a thread starts on a few files instead of more than 50 (every one
//   of a one-shot call's threads pays its imports, bench/sqlite-fleet).
// Node 20 loads ES modules one by one with no compile cache. Database drivers, piscina and the
// engines' peer packages stay outside, loaded from node_modules only when a database needs them.
// The library (`import … from "stagecraft"`) keeps the files tsc wrote; src/runtime-files.ts
// names the bundles' entries.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");

const packageOf = (id) => (id.startsWith("@") ? id.split("/").slice(0, 2).join("/") : id.split("/")[0]);
/** A package left outside the bundle: any but those in `inside`. */
const outsideOf = (inside) => (id) => !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("node:") && !inside.has(packageOf(id));

/**
 * Modules whose static imports (and requires), followed all the way, reach no package left outside: they go in
 * one chunk. Any other module keeps its own chunk, so a package like pg or knex is still loaded
 * only by the dynamic import that needs it — and a missing peer package fails only there.
 */
function lightModules(outside) {
  const files = readdirSync(dist, { recursive: true }).filter((f) => f.endsWith(".js") && /^(src|workers)\//.test(f)).map((f) => join(dist, f));
  const imports = new Map();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    // Static imports, and `require(…)` through createRequire (knex's own files, say), which runs when the module does.
    const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|^import\s+"([^"]+)"|\brequire\("([^"]+)"\)/gms)].map((m) => m[1] ?? m[2] ?? m[3]);
    imports.set(file, specifiers.map((s) => (s.startsWith(".") ? resolve(dirname(file), s) : s)));
  }
  // Heavy: imports an outside package, or a heavy module. Spread until nothing changes, so import
  // cycles are settled too (a depth-first walk would call a module light while its cycle is open).
  const heavy = new Set(files.filter((file) => imports.get(file).some((s) => !s.startsWith("/") && outside(s))));
  for (let grew = true; grew; ) {
    grew = false;
    for (const file of files) {
      if (heavy.has(file) || !imports.get(file).some((s) => heavy.has(s))) continue;
      heavy.add(file);
      grew = true;
    }
  }
  return new Set(files.filter((file) => !heavy.has(file)));
}

/**
 * One bundle: the `entries` (name → file under dist/), the modules that reach no outside package in
 * one chunk named `core`, any other module in a chunk of its own.
 */
async function bundle(entries, outDir, inside) {
  const out = join(dist, outDir);
  rmSync(out, { recursive: true, force: true });
  const outside = outsideOf(inside);
  const input = Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(dist, file)]));
  // An entry stays alone: the command's entry awaits the command at its top level, and a chunk
  // that another module imports must not wait on what that module's own import is waiting for;
  // the worker's and the engines' entries are loaded by path.
  const light = lightModules(outside);
  for (const file of Object.values(input)) light.delete(file);
  const build = await rolldown({
    input,
    platform: "node",
    external: (id) => !id.startsWith("\0") && outside(id),
    onLog(level, log, handler) {
      // A module imported both ways stays where it is: expected here (so an engine's
      // implementation that sits in `core` loads with it, not on first use). Any other warning is
      // a build to look at: fail rather than ship it.
      if (level === "warn" && log.code !== "INEFFECTIVE_DYNAMIC_IMPORT") throw new Error(`bundle ${outDir}: ${log.message}`);
      if (log.code === "INEFFECTIVE_DYNAMIC_IMPORT") return;
      handler(level, log);
    },
  });
  const { output } = await build.write({
    dir: out,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
    codeSplitting: { groups: [{ name: "core", test: (id) => light.has(id) || id.includes("/node_modules/") }] },
  });
  await build.close();
  // Only the packages named `inside` may be copied in: the worker's bundle holds none (no zod).
  for (const chunk of output) {
    const stray = (chunk.moduleIds ?? []).find((id) => id.includes("/node_modules/") && !inside.has(packageOf(id.slice(id.lastIndexOf("/node_modules/") + 14))));
    if (stray !== undefined) throw new Error(`bundle ${outDir}: ${chunk.fileName} holds ${stray}, a package that must stay outside`);
  }
}

await bundle({ main: "src/cli/main.js" }, "cli", new Set(["zod", "yaml", "commander", "p-limit", "yocto-queue"]));
// A worker needs no zod (the calling thread validated the config): nothing goes in but
// stagecraft's own modules. (A plugin that imports the package loads the package's files, zod too.)
await bundle({
  worker: "workers/worker.js",
  "engines-builtin": "src/engines/builtin-worker.js",
  ...Object.fromEntries(["raw", "knex", "drizzle", "prisma"].map((id) => [`engine-${id}`, `src/engines/${id}/worker.js`])),
}, "worker", new Set());
