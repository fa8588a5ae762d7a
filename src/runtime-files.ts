/**
 * Files stagecraft loads at run time by path: the worker thread's entry, the modules that
 * register engines in a worker, package.json. Named from the package root, which is two folders
 * up from this module (dist/src/) and from the bundles (dist/cli/ for the command, dist/worker/
 * for the threads, see scripts/bundle.mjs), so each copy finds the same files. A worker thread
 * runs its bundle: a few files to load where the files tsc wrote are more than 50 (docs/performance.md).
 */
const ROOT = new URL("../../", import.meta.url);

/** The Piscina worker's entry. */
export const WORKER_FILE = new URL("dist/worker/worker.js", ROOT).href;

/** Every built-in engine, without its zod schema: what a worker imports beside a plugin engine. */
export const BUILTIN_ENGINES = new URL("dist/worker/engines-builtin.js", ROOT).href;

/** The module that registers built-in engine `id` in a worker thread, without its zod schema. */
export function engineWorkerModule(id: "raw" | "knex" | "drizzle" | "prisma"): string {
  return new URL(`dist/worker/engine-${id}.js`, ROOT).href;
}

export const PACKAGE_JSON = new URL("package.json", ROOT);
