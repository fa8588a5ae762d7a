// Importing this module registers every built-in engine in this thread's default registry.
import "./raw/index.js";
import "./knex/index.js";
import "./drizzle/index.js";
import "./prisma/index.js";
