import type { LogicalRun, OutcomeStatus, RunRecord } from "../ledger/reader.js";
import { OUTCOME_STATUSES } from "../ledger/reader.js";

/** One label in `stagecraft runs`. */
export interface RunListItem {
  label: string;
  runs: RunRecord[];
  counts: Record<OutcomeStatus, number>;
  databases: number;
}

/** A short error message in a table cell. */
const MESSAGE_CHARS = 160;

export function renderRunList(items: readonly RunListItem[]): string {
  if (items.length === 0) return "the ledger records no run yet";
  return items.map((item) => {
    const first = item.runs[0];
    const shards = [...new Set(item.runs.map((run) => run.shard))].join(", ");
    const states = [...new Set(item.runs.map((run) => run.status))].join(", ");
    const waves = [...new Set(item.runs.map((run) => run.wave).filter((w) => w !== undefined))];
    return [
      `${item.label}`,
      `  started ${first?.startedAt ?? "?"} · ${item.runs.length} run${item.runs.length === 1 ? "" : "s"} (${states}) · shards ${shards}${waves.length > 0 ? ` · waves ${waves.join(", ")}` : ""}`,
      `  ${item.databases} databases: ${counts(item.counts)}`,
    ].join("\n");
  }).join("\n");
}

export function renderRunShow(run: LogicalRun, verbose: boolean): string {
  const lines = [`run ${run.label}: ${run.databases.length} databases: ${counts(run.counts)}`];
  for (const r of run.runs) {
    lines.push(`  run ${r.id} · ${r.mode}${r.wave ? ` wave ${r.wave}` : ""} · shard ${r.shard} · ${r.status} · ${r.host} · started ${r.startedAt}${r.finishedAt ? ` · finished ${r.finishedAt}` : ""} · stagecraft ${r.stagecraftVersion}`);
    if (verbose) for (const [folder, hash] of Object.entries(r.migrationSets)) lines.push(`      ${folder} ${hash.slice(0, 12)}`);
  }
  const width = Math.max(8, ...run.databases.map((db) => db.name.length));
  lines.push("", `${"DATABASE".padEnd(width)}  ${"STATUS".padEnd(10)}  ${"SHARD".padEnd(6)}  APPLIED  ERROR`);
  for (const db of run.databases) {
    const error = db.error ? `${db.error.kind}${db.error.migration ? ` in ${db.error.migration}` : ""}: ${oneLine(db.error.message)}` : "";
    lines.push(`${db.name.padEnd(width)}  ${db.status.padEnd(10)}  ${(db.shard ?? "-").padEnd(6)}  ${String(db.applied.length).padStart(7)}  ${error}`.trimEnd());
  }
  return lines.join("\n");
}

function counts(c: Record<OutcomeStatus, number>): string {
  const parts = OUTCOME_STATUSES.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  return parts.length === 0 ? "none" : parts.join(", ");
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MESSAGE_CHARS ? `${line.slice(0, MESSAGE_CHARS)}…` : line;
}
