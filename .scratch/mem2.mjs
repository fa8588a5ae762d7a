const dir = process.argv[2]; const count = Number(process.argv[3]); const mode = process.argv[4] ?? "plan";
const { planAll, runAll } = await import("../dist/src/index.js");
const databases = Array.from({ length: count }, (_, i) => ({ name: `db${String(i).padStart(6, "0")}`, connectionEnv: `DB${i}`, engine: "raw", migrationPath: `${dir}/migrations`, strategy: "pre_deploy", lockTimeoutMs: 30000,
  engineConfig: { table: "stagecraft_migrations", transaction_mode: "per-migration", allow_out_of_order: true, allow_changed: false, allow_missing: false } }));
const env = Object.fromEntries(Array.from({ length: count }, (_, i) => [`DB${i}`, `sqlite:${dir}/tenants/t${String(i).padStart(6,"0")}.db`]));
const report = await (mode === "plan" ? planAll : runAll)({ file: `${dir}/x.yml`, dir, plugins: [], databases }, { env, ...(process.argv[5] ? { inProcess: true } : {}) });
globalThis.gc?.(); console.log("heap after gc", (process.memoryUsage().heapUsed/1048576).toFixed(0), "rss", (process.memoryUsage().rss/1048576).toFixed(0));
console.log(mode, count, report.summary.succeeded, `maxrss=${(process.resourceUsage().maxRSS/1024).toFixed(0)}`);
