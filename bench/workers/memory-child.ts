// Child process of the memory benchmark: runAll over a fleet built in code (so YAML parsing is not
// what is measured), then print the process's peak RSS in KiB.
import { mkdirSync } from "node:fs";
import { runAll, type DatabaseConfig } from "../../src/index.js";

const [migrationPath, countText, dataDir] = process.argv.slice(2) as [string, string, string];
const count = Number(countText);
mkdirSync(dataDir, { recursive: true });
const databases: DatabaseConfig[] = Array.from({ length: count }, (_, i) => ({
  name: `db${String(i).padStart(5, "0")}`, connectionEnv: `DB${i}`, engine: "raw", migrationPath, strategy: "pre_deploy", lockTimeoutMs: 30_000,
  engineConfig: { table: "stagecraft_migrations", transaction_mode: "per-migration", allow_out_of_order: true, allow_changed: false, allow_missing: false },
}));
const env = Object.fromEntries(Array.from({ length: count }, (_, i) => [`DB${i}`, `sqlite:${dataDir}/d${i}.db?journal_mode=wal&synchronous=off`]));
const report = await runAll({ file: `${dataDir}/stagecraft.yml`, dir: dataDir, plugins: [], databases }, { env });
if (report.summary.succeeded !== count) {
  process.stderr.write(JSON.stringify(report.databases.find((d) => d.error)?.error));
  process.exit(1);
}
process.stdout.write(`${process.resourceUsage().maxRSS}\n`);
