const { loadConfig } = await import("../dist/src/index.js");
const t0 = performance.now();
const config = await loadConfig(`/tmp/fm20k/stagecraft.yml`, { env: { CATALOG_URL: `sqlite:/tmp/fm20k/catalog.db` } });
const t1 = performance.now();
console.log(config.databases.length, (t1 - t0).toFixed(0), "ms", (process.memoryUsage().rss/1048576).toFixed(0));
