import type { DatabaseReport } from "./report.js";

/** Lifecycle events of planAll/runAll, for progress display, metrics and logs. */
export interface RunnerEvents {
  /** Once, before any database starts: how many databases the call has (for `done/total`). */
  "run:start": { databases: number };
  /** `target`: the connection URL with its password masked. */
  "database:start": { database: string; engine: string; target?: string };
  /**
   * The database's migration lock has been held by another run for a second; the run waits up to
   * `timeoutMs`. `holders`: who holds it, as the server (SQLite: the kernel) names them — empty
   * when that cannot be told.
   */
  "lock:waiting": { database: string; lock: string; target: string; timeoutMs: number; holders?: string[] };
  /** `direction` down: the migration's revert starts. */
  "migration:start": { database: string; migration: string; direction: "up" | "down" };
  "migration:applied": { database: string; migration: string; durationMs: number };
  /** A run with `direction: "down"` reverted the migration (its `migration:applied` is never sent). */
  "migration:reverted": { database: string; migration: string; durationMs: number };
  "database:done": { database: string; report: DatabaseReport };
}

export type RunnerListeners = { [K in keyof RunnerEvents]?: (event: RunnerEvents[K]) => void };

/** Calls a listener, keeping a throwing listener from breaking the run. */
export function emit<K extends keyof RunnerEvents>(listeners: RunnerListeners | undefined, name: K, event: RunnerEvents[K]): void {
  try {
    listeners?.[name]?.(event);
  } catch {
    // A progress display that throws must not fail a migration run.
  }
}

/** Listeners that call each of `a` and `b` in turn (either may be undefined). */
export function mergeListeners(a: RunnerListeners | undefined, b: RunnerListeners | undefined): RunnerListeners | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const merged: Record<string, (event: never) => void> = {};
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof RunnerEvents>) {
    const first = a[name] as ((event: never) => void) | undefined;
    const second = b[name] as ((event: never) => void) | undefined;
    merged[name] = (event) => (first?.(event), second?.(event));
  }
  return merged as RunnerListeners;
}
