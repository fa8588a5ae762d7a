// What a worker thread imports when a task's engine names no module of its own (a plugin engine
// registered by the config's plugins): every built-in engine, without their zod schemas.
import "./raw/worker.js";
import "./knex/worker.js";
import "./drizzle/worker.js";
import "./prisma/worker.js";
