import { setMaxListeners } from "node:events";

/** How often a worker looks at the shared cancel flag for listeners (a lock wait, say). */
const ABORT_POLL_MS = 50;

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted")!.get!;

/** A run's cancel signal in this thread, shared by the run's tasks here. */
interface RunSignal {
  controller: AbortController;
  flag: Int32Array;
  /** Tasks of the run now running in this thread; the poll runs only while there are some. */
  users: number;
  poll?: ReturnType<typeof setInterval>;
}

/** Runs this thread has seen (most recent last); a thread outliving more runs forgets the oldest idle ones. */
const runs = new Map<string, RunSignal>();
const RUNS_KEPT = 64;

function check(run: RunSignal): void {
  if (!abortedGetter.call(run.controller.signal) && Atomics.load(run.flag, 0) !== 0) run.controller.abort();
}

const runOf = new WeakMap<AbortSignal, RunSignal>();

/** One prototype for the runs' signals: `aborted` looks at the run's flag first. */
const flaggedPrototype: AbortSignal = Object.create(AbortSignal.prototype, {
  aborted: {
    get(this: AbortSignal) {
      const run = runOf.get(this);
      if (run) check(run);
      return abortedGetter.call(this) as boolean;
    },
  },
});

function runSignal(key: string, flag: Int32Array): RunSignal {
  let run = runs.get(key);
  if (run === undefined) {
    if (runs.size >= RUNS_KEPT) for (const [old, r] of runs) if (r.users === 0) { runs.delete(old); break; }
    const controller = new AbortController();
    // Tasks of the run in this thread (many, in a shared thread) may each wait on it at once.
    setMaxListeners(0, controller.signal);
    run = { controller, flag, users: 0 };
    Object.setPrototypeOf(controller.signal, flaggedPrototype);
    runOf.set(controller.signal, run);
    runs.set(key, run);
  }
  return run;
}

/**
 * The signal of one task of run `key`, driven by the caller's shared cancel flag. Reading
 * `aborted` looks at the flag itself: SQLite work runs synchronously and yields only to
 * microtasks, so a timer-based check would not fire until the whole database was done, and
 * migrations would keep starting after the caller cancelled. A timer still fires `abort` for
 * listeners that wait on I/O.
 *
 * One signal per run and thread, shared by the run's tasks here. A signal per task cost about 3 KB per task until V8's next full collection (a signal
 * that must reach its controller lives longer than a plain one): 60 MiB of peak memory over a
 * 20,000-database plan (bench/fleet-memory). The run's flag only ever goes from 0 to 1, so
 * every task of a run sees the same cancellation either way.
 */
export function flagSignal(taskFlag: Int32Array | undefined, key: string): { signal: AbortSignal; dispose: () => void } {
  if (taskFlag === undefined) return { signal: new AbortController().signal, dispose: () => undefined };
  const run = runSignal(key, taskFlag);
  run.users++;
  if (run.poll === undefined) {
    run.poll = setInterval(check, ABORT_POLL_MS, run);
    run.poll.unref();
  }
  return {
    signal: run.controller.signal,
    dispose: () => {
      if (--run.users === 0 && run.poll !== undefined) {
        clearInterval(run.poll);
        delete run.poll;
      }
    },
  };
}
