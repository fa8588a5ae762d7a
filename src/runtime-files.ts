/**
 * Files stagecraft loads at run time by path: the worker thread's entry, the modules that
 * register engines in a worker, package.json. Named from the package root, which is two folders
 * up both from this module (dist/src/) and from the command's bundle (dist/cli/, see
 * scripts/bundle-cli.mjs), so both find the same files. Worker threads always run the files tsc
 * wrote, never the bundle.
 */
const ROOT = new URL("../../", import.meta.url);

/** The Piscina worker's entry. */
export const WORKER_FILE = new URL("dist/workers/worker.js", ROOT).href;

/** Every built-in engine, without its zod schema: what a worker imports beside a plugin engine. */
export const BUILTIN_ENGINES = new URL("dist/src/engines/builtin-worker.js", ROOT).href;

/** The module that registers built-in engine `id` in a worker thread, without its zod schema. */
export function engineWorkerModule(id: "raw" | "knex" | "drizzle" | "prisma"): string {
  return new URL(`dist/src/engines/${id}/worker.js`, ROOT).href;
}

export const PACKAGE_JSON = new URL("package.json", ROOT);
