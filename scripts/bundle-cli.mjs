// Bundles the `stagecraft` command (dist/src/cli/main.js, as tsc wrote it) into dist/cli/: a few
// files instead of about 240 modules, which Node 20 loads one by one with no compile cache
// (bench/cold-start). zod, yaml and commander go in; database drivers, piscina and the engines'
// peer packages stay outside, loaded from node_modules only when a database needs them. Worker
// threads keep running the files tsc wrote (src/runtime-files.ts names them).
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const INSIDE = new Set(["zod", "yaml", "commander", "p-limit", "yocto-queue"]);
const root = fileURLToPath(new URL("../", import.meta.url));
const src = join(root, "dist/src");
const out = join(root, "dist/cli");

const packageOf = (id) => (id.startsWith("@") ? id.split("/").slice(0, 2).join("/") : id.split("/")[0]);
const outside = (id) => !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("node:") && !INSIDE.has(packageOf(id));

/**
 * Modules whose static imports (and requires), followed all the way, reach no package left outside: they go in
 * one chunk. Any other module keeps its own chunk, so a package like pg or knex is still loaded
 * only by the dynamic import that needs it — and a missing peer package fails only there.
 */
function lightModules() {
  const files = readdirSync(src, { recursive: true }).filter((f) => f.endsWith(".js")).map((f) => join(src, f));
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

rmSync(out, { recursive: true, force: true });
const entry = join(src, "cli/main.js");
// The entry stays alone: it awaits the command at its top level, and a chunk that another
// module imports must not wait on what that module's own import is waiting for.
const light = lightModules();
light.delete(entry);
const bundle = await rolldown({
  input: { main: entry },
  platform: "node",
  external: (id) => !id.startsWith("\0") && outside(id),
  onLog(level, log, handler) {
    // A module imported both ways stays where it is: expected here. Any other warning is a build
    // to look at: fail rather than ship it.
    if (level === "warn" && log.code !== "INEFFECTIVE_DYNAMIC_IMPORT") throw new Error(`bundle-cli: ${log.message}`);
    if (log.code === "INEFFECTIVE_DYNAMIC_IMPORT") return;
    handler(level, log);
  },
});
await bundle.write({
  dir: out,
  format: "esm",
  entryFileNames: "[name].js",
  chunkFileNames: "[name]-[hash].js",
  codeSplitting: { groups: [{ name: "core", test: (id) => light.has(id) || id.includes("/node_modules/") }] },
});
await bundle.close();
