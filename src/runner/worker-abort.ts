/** How often a worker looks at the shared cancel flag for listeners (a lock wait, say). */
const ABORT_POLL_MS = 50;

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted")!.get!;

/**
 * An AbortSignal driven by the caller's shared cancel flag. Reading `aborted` looks at the flag
 * itself: SQLite work runs synchronously and yields only to microtasks, so a timer-based check
 * would not fire until the whole database was done, and migrations would keep starting after
 * the caller cancelled. A timer still fires `abort` for listeners that wait on I/O.
 */
export function flagSignal(flag: Int32Array | undefined): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  if (flag === undefined) return { signal: controller.signal, dispose: () => undefined };
  const check = (): void => {
    if (!abortedGetter.call(controller.signal) && Atomics.load(flag, 0) !== 0) controller.abort();
  };
  Object.defineProperty(controller.signal, "aborted", {
    get(this: AbortSignal) {
      check();
      return abortedGetter.call(this) as boolean;
    },
  });
  const poll = setInterval(check, ABORT_POLL_MS);
  poll.unref();
  return { signal: controller.signal, dispose: () => clearInterval(poll) };
}
