import type { LedgerReader } from "../ledger/reader.js";
import type { Wave } from "../runner/rollout.js";

/** Databases listed in a refusal before the rest are counted. */
const LIST_UP_TO = 10;

/**
 * Why `--wave NAME` may not start yet: a database of an earlier wave whose last outcome under
 * `label` is not `succeeded` (failed and not rerun successfully, still running, never run).
 * Undefined when every earlier wave is done.
 */
export async function waveGate(reader: LedgerReader, waves: readonly Wave[], wave: Wave, label: string): Promise<string | undefined> {
  const earlier = waves.slice(0, waves.indexOf(wave));
  if (earlier.length === 0) return undefined;
  const names = earlier.flatMap((w) => w.databases);
  const run = await reader.logicalRun(label, names);
  const outcome = new Map(run.databases.map((db) => [db.name, db.status]));
  for (const previous of earlier) {
    const blocking = previous.databases.filter((name) => outcome.get(name) !== "succeeded");
    if (blocking.length === 0) continue;
    const listed = blocking.slice(0, LIST_UP_TO).map((name) => `${name} (${outcome.get(name) ?? "missing"})`).join(", ");
    const more = blocking.length > LIST_UP_TO ? `, … ${blocking.length - LIST_UP_TO} more` : "";
    return `--wave ${wave.name} refused: earlier wave ${previous.name} of run label ${label} has ${blocking.length} database${blocking.length === 1 ? "" : "s"} not migrated successfully: ${listed}${more}\n  hint: finish it first: stagecraft migrate --wave ${previous.name} --only-failed ${label} --run-label ${label}`;
  }
  return undefined;
}
