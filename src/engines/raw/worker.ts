import { has, register } from "../../registry/default-registry.js";
import { defineRawEngine } from "./define.js";

// What a worker thread imports for the raw engine's databases: the engine without its zod schema
// (the main thread validated the config), so the thread never loads zod. In the main thread,
// where index.ts registered it already, importing this changes nothing.
if (!has("raw")) register(defineRawEngine(undefined));
