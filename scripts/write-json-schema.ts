// Writes dist/stagecraft.schema.json from the zod schema and the built-in engines' schemas.
import { writeFileSync } from "node:fs";
import { buildJsonSchema } from "../src/config/json-schema.js";
import { defaultRegistry } from "../src/index.js";

writeFileSync(new URL("../stagecraft.schema.json", import.meta.url), `${JSON.stringify(buildJsonSchema(defaultRegistry), null, 2)}\n`);
