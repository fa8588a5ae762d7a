import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { stringify } from "yaml";
const dir = process.argv[2]; const count = Number(process.argv[3]);
const mode = process.argv[4];
if (mode === "setup") {
  mkdirSync(`${dir}/migrations`, { recursive: true }); mkdirSync(`${dir}/tenants`, { recursive: true });
  for (let i = 1; i <= 3; i++) writeFileSync(`${dir}/migrations/00${i}_t.sql`, `CREATE TABLE t${i} (id INTEGER PRIMARY KEY, v TEXT);\n`);
  const c = new Database(`${dir}/catalog.db`); c.exec("CREATE TABLE tenants (slug TEXT PRIMARY KEY, region TEXT, tier TEXT)");
  const ins = c.prepare("INSERT INTO tenants VALUES (?,?,?)");
  c.transaction(() => { for (let i = 0; i < count; i++) { const s = `t${String(i).padStart(6,"0")}`; ins.run(s, "eu", "pro"); closeSync(openSync(`${dir}/tenants/${s}.db`, "w")); } })();
  c.close();
  writeFileSync(`${dir}/stagecraft.yml`, stringify({ databases: { tenants: { fleet: { query: { connection_env: "CATALOG_URL", sql: "SELECT slug AS name, region, tier FROM tenants" }, name: "tenant_{{name}}", url: "sqlite:./tenants/{{name}}.db", tags: ["{{region}}"] }, migrations: { engine: "raw", path: "./migrations" } } } }));
  process.exit(0);
}
const { loadConfig, planAll } = await import("../dist/src/index.js");
const mb = () => `rss=${(process.memoryUsage().rss/1048576).toFixed(0)} heap=${(process.memoryUsage().heapUsed/1048576).toFixed(0)} maxrss=${(process.resourceUsage().maxRSS/1024).toFixed(0)}`;
console.log("start", mb());
const config = await loadConfig(`${dir}/stagecraft.yml`, { env: { CATALOG_URL: `sqlite:${dir}/catalog.db` } });
globalThis.gc?.(); console.log("config", mb());
const report = await planAll(config, { env: {}, ...(mode === "inproc" ? { inProcess: true } : {}) });
console.log("planned", mb(), report.summary.succeeded);
globalThis.gc?.(); console.log("after gc", mb());
