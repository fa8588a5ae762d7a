import { register } from "../../registry/default-registry.js";
import { lazyEngine } from "../lazy-engine.js";
import { otherToolCreates } from "../shared/foreign-new.js";
import { prismaConfigSchema } from "./config.js";

/**
 * Prisma Migrate folders deployed without the Prisma binary, keeping `_prisma_migrations` as Prisma
 * does. Prisma's lock on MySQL is `GET_LOCK('prisma_migrate')`, one name for the whole server.
 */
export const prismaEngine = lazyEngine("prisma", prismaConfigSchema, () => import("./prisma-engine.js"), { resolvable: true, runsUserCode: false, workerModule: import.meta.url, serverWideLock: ["mysql"] });

// Offline SQL sources (stagecraft lint), imported on first use like the engine itself.
prismaEngine.sources = async (opts) => (await import("./prisma-sources.js")).sources(opts);
// `migrate baseline`, imported on first use like the engine itself.
prismaEngine.baseline = async (opts) => (await import("./prisma-baseline.js")).baseline(opts);
// `stagecraft validate` and `stagecraft new`.
prismaEngine.check = async (opts) => (await import("./prisma-check.js")).check(opts);
prismaEngine.newMigration = otherToolCreates("prisma", (name) => `prisma migrate dev --create-only --name ${name}`, "Prisma Migrate writes from the schema (migration.sql and migration_lock.toml)");
register(prismaEngine);
