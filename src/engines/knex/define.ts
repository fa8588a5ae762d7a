import { withPeer } from "../../drivers/peer-dependency.js";
import { engineWorkerModule } from "../../runtime-files.js";
import { lazyEngine } from "../lazy-engine.js";
import type { ZodType } from "zod";
import type { Engine } from "../../registry/engine.js";

/** The module that registers this engine in a worker thread, without its zod schema. */
const WORKER_MODULE = engineWorkerModule("knex");

/**
 * knex migration modules, run through knex's own Migrator (so the bookkeeping is knex's).
 * `configSchema` is given in the main thread only (index.ts), which validates the config;
 * the engine itself reads its settings without zod (settings.ts).
 */
export function defineKnexEngine(configSchema: ZodType | undefined): Engine {
  const knexEngine = lazyEngine("knex", configSchema, withPeer("knex", "the knex engine", () => import("./knex-engine.js")), { resolvable: true, runsUserCode: true, workerModule: WORKER_MODULE });

  // knex's Migrator runs a batch in one transaction unless told not to (a module may still opt out: a hint).
  knexEngine.oneCommitPerRun = (config) => config.disableTransactions !== true;
  // `migrate baseline`: needs knex like the engine itself, imported on first use.
  const loadBaseline = withPeer("knex", "the knex engine", () => import("./knex-baseline.js"));
  knexEngine.baseline = async (opts) => (await loadBaseline()).baseline(opts);
  // `stagecraft validate` and `stagecraft new`.
  knexEngine.check = async (opts) => (await import("./knex-check.js")).check(opts);
  knexEngine.newMigration = async (opts) => (await import("./knex-new.js")).newMigration(opts);
  return knexEngine;
}
