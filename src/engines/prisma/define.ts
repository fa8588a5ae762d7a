import { lazyEngine } from "../lazy-engine.js";
import { engineWorkerModule } from "../../runtime-files.js";
import { otherToolCreates } from "../shared/foreign-new.js";
import type { ZodType } from "zod";
import type { Engine } from "../../registry/engine.js";

/** The module that registers this engine in a worker thread, without its zod schema. */
const WORKER_MODULE = engineWorkerModule("prisma");

/**
 * Prisma Migrate folders deployed without the Prisma binary, keeping `_prisma_migrations` as Prisma
 * does. Prisma's lock on MySQL is `GET_LOCK('prisma_migrate')`, one name for the whole server.
 * `configSchema` is given in the main thread only (index.ts), which validates the config;
 * the engine itself reads its settings without zod (settings.ts).
 */
export function definePrismaEngine(configSchema: ZodType | undefined): Engine {
  const prismaEngine = lazyEngine("prisma", configSchema, () => import("./prisma-engine.js"), { resolvable: true, runsUserCode: false, workerModule: WORKER_MODULE, serverWideLock: ["mysql"] });

  // Offline SQL sources (stagecraft lint), imported on first use like the engine itself.
  prismaEngine.sources = async (opts) => (await import("./prisma-sources.js")).sources(opts);
  // `migrate baseline`, imported on first use like the engine itself.
  prismaEngine.baseline = async (opts) => (await import("./prisma-baseline.js")).baseline(opts);
  // `stagecraft validate` and `stagecraft new`.
  prismaEngine.check = async (opts) => (await import("./prisma-check.js")).check(opts);
  prismaEngine.newMigration = otherToolCreates("prisma", (name) => `prisma migrate dev --create-only --name ${name}`, "Prisma Migrate writes from the schema (migration.sql and migration_lock.toml)");
  return prismaEngine;
}
