// Child process of the memory benchmark: runAll over a generated fleet, then print peak RSS (KiB).
import { mkdirSync } from "node:fs";
import { runAll } from "../../src/index.js";

const [file, countText, dataDir] = process.argv.slice(2) as [string, string, string];
const count = Number(countText);
mkdirSync(dataDir, { recursive: true });
const env = Object.fromEntries(Array.from({ length: count }, (_, i) => [`DB${i}`, `sqlite:${dataDir}/d${i}.db?journal_mode=wal&synchronous=off`]));
const report = await runAll(file, { env });
if (report.summary.succeeded !== count) {
  process.stderr.write(JSON.stringify(report.databases.find((d) => d.error)?.error));
  process.exit(1);
}
process.stdout.write(`${process.resourceUsage().maxRSS}\n`);
