import { register } from "../../registry/default-registry.js";
import { withPeer } from "../../drivers/peer-dependency.js";
import { lazyEngine } from "../lazy-engine.js";
import { knexConfigSchema } from "./config.js";

/** knex migration modules, run through knex's own Migrator (so the bookkeeping is knex's). */
export const knexEngine = lazyEngine("knex", knexConfigSchema, withPeer("knex", "the knex engine", () => import("./knex-engine.js")), { resolvable: true, runsUserCode: true, workerModule: import.meta.url });

// `migrate baseline`: needs knex like the engine itself, imported on first use.
const loadBaseline = withPeer("knex", "the knex engine", () => import("./knex-baseline.js"));
knexEngine.baseline = async (opts) => (await loadBaseline()).baseline(opts);
// `stagecraft validate` and `stagecraft new`.
knexEngine.check = async (opts) => (await import("./knex-check.js")).check(opts);
knexEngine.newMigration = async (opts) => (await import("./knex-new.js")).newMigration(opts);
register(knexEngine);
