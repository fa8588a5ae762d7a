import { has, register } from "../../registry/default-registry.js";
import { defineDrizzleEngine } from "./define.js";

// What a worker thread imports for the drizzle engine's databases: the engine without its zod schema
// (the main thread validated the config), so the thread never loads zod. In the main thread,
// where index.ts registered it already, importing this changes nothing.
if (!has("drizzle")) register(defineDrizzleEngine(undefined));
