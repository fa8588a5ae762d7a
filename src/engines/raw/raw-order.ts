import { basename } from "node:path";
import type { PlanWarning } from "../../registry/engine.js";

/** The number an ID starts with, and the rest of the ID. */
function split(id: string): { number: bigint | undefined; rest: string } {
  const match = /^(\d+)(.*)$/s.exec(id);
  return match ? { number: BigInt(match[1]!), rest: match[2]! } : { number: undefined, rest: id };
}

const bytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Apply order of raw migration IDs: by the leading number compared as a number, then by the
 * rest of the ID, then by the whole ID (so `01_a` and `1_a` still have a fixed order). Padded
 * folders (`001_…`) keep their byte order; unpadded ones (`1_…`, `2_…`, `10_…`) run 1, 2, 10
 * as golang-migrate and Flyway run them, not 1, 10, 2. IDs without a number sort last.
 */
export function compareIds(a: string, b: string): number {
  const x = split(a);
  const y = split(b);
  if (x.number !== y.number) {
    if (x.number === undefined) return 1;
    if (y.number === undefined) return -1;
    return x.number < y.number ? -1 : 1;
  }
  return bytes(x.rest, y.rest) || bytes(a, b);
}

/**
 * Warnings for a folder whose numeric order differs from the order of its file names (a listing
 * would mislead a reader) and for IDs that share a number (their order rests on the names).
 * `fileOf` gives the path of an ID's file.
 */
export function orderWarnings(ordered: readonly string[], fileOf: (id: string) => string): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const byName = [...ordered].sort(bytes);
  const first = ordered.findIndex((id, i) => byName[i] !== id);
  if (first >= 0) {
    const runsFirst = ordered[first]!;
    const listedFirst = byName[first]!;
    warnings.push({
      code: "order",
      message: `migrations run in numeric order of their number, which differs from the order of their file names: ${basename(fileOf(runsFirst))} runs before ${basename(fileOf(listedFirst))}; zero-pad the numbers (e.g. ${pad(runsFirst, listedFirst)}) so both orders agree`,
      file: fileOf(runsFirst),
    });
  }
  const byNumber = new Map<string, string[]>();
  for (const id of ordered) {
    const { number } = split(id);
    if (number === undefined) continue;
    byNumber.set(number.toString(), [...(byNumber.get(number.toString()) ?? []), id]);
  }
  for (const [number, ids] of byNumber) {
    if (ids.length < 2) continue;
    warnings.push({
      code: "duplicate_number",
      message: `${ids.map((id) => basename(fileOf(id))).join(", ")} share the number ${number}: they run in this order, decided by the rest of their names; give each migration its own number`,
      file: fileOf(ids[0]!),
    });
  }
  return warnings;
}

/** `runsFirst` with its number padded to the width of `other`'s. */
function pad(runsFirst: string, other: string): string {
  const width = /^\d+/.exec(other)?.[0].length ?? 0;
  return runsFirst.replace(/^\d+/, (digits) => digits.padStart(width, "0"));
}
