// `npm run bench [-- --json] [-- --only name,name]`: runs every benchmark and prints one table.
import { coldStart } from "./cold-start.js";
import { dispatchOverhead } from "./dispatch-overhead.js";
import { fleetMemory } from "./fleet-memory.js";
import { memory } from "./memory.js";
import { registryLookup } from "./registry-lookup.js";
import { serverFleet } from "./server-fleet.js";
import { sqliteFleet } from "./sqlite-fleet.js";
import { stopTime } from "./stop-time.js";
import { events } from "./events.js";
import { warmRunner } from "./warm-runner.js";
import { lint } from "./lint.js";
import { nativeTools } from "./native-tools.js";
import { fmt, type Bench, type Figure } from "./harness.js";

const ALL: Bench[] = [registryLookup, dispatchOverhead, sqliteFleet, serverFleet, nativeTools, memory, fleetMemory, coldStart, warmRunner, events, stopTime, lint];

const args = process.argv.slice(2);
const json = args.includes("--json");
const onlyIndex = args.indexOf("--only");
const only = onlyIndex >= 0 ? new Set((args[onlyIndex + 1] ?? "").split(",")) : undefined;

const figures: Figure[] = [];
for (const bench of ALL.filter((b) => only === undefined || only.has(b.name))) {
  if (!json) process.stderr.write(`running ${bench.name}: ${bench.question}\n`);
  const started = performance.now();
  figures.push(...(await bench.run()));
  if (!json) process.stderr.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

if (json) {
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), node: process.version, figures }, null, 2)}\n`);
} else {
  const rows = figures.map((f) => [f.bench, f.metric, `${fmt(f.value)}${f.unit === "×" ? "×" : ` ${f.unit}`}`, f.target, f.pass === undefined ? "" : f.pass ? "met" : "MISSED", f.detail ?? ""]);
  const header = ["bench", "figure", "value", "target", "", "detail"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  process.stdout.write([line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n");
}
