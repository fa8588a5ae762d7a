import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One figure of a benchmark, with the target it is judged against. */
export interface Figure {
  bench: string;
  /** What was measured, e.g. "runAll vs sequential loop". */
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "≥ 1.4×". */
  target: string;
  /** Whether the value meets the target; undefined for figures without one. */
  pass?: boolean;
  /** Supporting detail (absolute medians), for the README. */
  detail?: string;
}

export interface Bench {
  name: string;
  question: string;
  run(): Promise<Figure[]>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of `fn` in ms. */
export async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Runs each contender `rounds` times, interleaved (A B A B …) so drift on a shared machine hits
 * both alike, after `setup` per round; returns the median time of each.
 */
export async function paired<K extends string>(rounds: number, contenders: Record<K, () => Promise<unknown>>, setup?: () => Promise<void> | void): Promise<Record<K, number>> {
  const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(contenders) as [K, () => Promise<unknown>][]) {
      await setup?.();
      times[name].push(await time(fn));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v as number[])])) as Record<K, number>;
}

export function scratchDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `stagecraft-bench-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const fmt = (n: number, digits = 2): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(digits));
