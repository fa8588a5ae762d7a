// Writes dist/stagecraft.schema.json (the config) from the zod schema and the built-in engines' schemas.
import { writeFileSync } from "node:fs";
import { buildJsonSchema } from "../src/config/json-schema.js";
import { defaultRegistry } from "../src/index.js";
import { reportJsonSchema } from "../src/runner/report-schema.js";

writeFileSync(new URL("../stagecraft.schema.json", import.meta.url), `${JSON.stringify(buildJsonSchema(defaultRegistry), null, 2)}\n`);
// And dist/report.schema.json: the shape of every run report (`--json`, planAll/runAll).
writeFileSync(new URL("../report.schema.json", import.meta.url), `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
