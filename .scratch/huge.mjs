import { mkdirSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
const { loadConfig } = await import(process.argv[2]);
const dir = "/tmp/huge-fleet"; mkdirSync(`${dir}/migrations`, { recursive: true });
const huge = { databases: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`db${i}`, { connection_env: "X", migrations: { engine: i % 2 ? "raw" : "nope", path: "./migrations" } }])) };
writeFileSync(`${dir}/stagecraft.yml`, stringify(huge));
const t0 = performance.now();
const e = await loadConfig(`${dir}/stagecraft.yml`).catch((e) => e);
console.log((performance.now() - t0).toFixed(0), "ms", e.issues?.length);
