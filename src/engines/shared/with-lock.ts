import { StagecraftError } from "../../errors.js";
import type { Driver, HeldLock, LockSpec } from "../../drivers/driver.js";
import type { PlanOptions, RunOptions } from "../../registry/engine.js";

/** How long a lock wait lasts before it is reported (`lock:waiting`). */
export const LOCK_WAIT_NOTICE_MS = 1_000;
/** How long the notice waits for the holders' names before it goes out without them. */
const HOLDERS_LOOKUP_MS = 2_000;

/** `Driver.lock` with the optional AbortSignal that lets a cancelled run stop waiting. */
type LockWithSignal = (spec: LockSpec, timeoutMs: number, signal?: AbortSignal) => Promise<HeldLock>;

/**
 * Takes the migration lock, runs `fn`, releases. A release that fails with a stagecraft error
 * fails a run that otherwise succeeded: the SQLite driver reports there that the database file
 * was deleted under the run. Other release failures (a dropped connection) are ignored: a
 * server-side lock dies with its session anyway.
 */
export async function withLock<T>(driver: Driver, spec: LockSpec, opts: Pick<PlanOptions, "lockTimeoutMs" | "signal"> & Pick<RunOptions, "onProgress">, fn: () => Promise<T>): Promise<T> {
  // A wait longer than a second is another run holding the lock: say so and who holds it, or the
  // run looks hung. Once taken (or given up) the lock is no longer waited for: nothing is said.
  const report = opts.onProgress;
  let settled = false;
  const notice = (): void => {
    void holdersOf(driver, spec).then((holders) => {
      if (!settled) report?.({ type: "lock:waiting", lock: spec.label ?? spec.name, target: driver.target, timeoutMs: opts.lockTimeoutMs, holders });
    });
  };
  const waiting = report === undefined ? undefined : setTimeout(notice, LOCK_WAIT_NOTICE_MS);
  let lock: HeldLock;
  try {
    lock = await (driver.lock as LockWithSignal).call(driver, spec, opts.lockTimeoutMs, opts.signal);
  } finally {
    settled = true;
    clearTimeout(waiting);
  }
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
  await lock.release().catch((error: unknown) => {
    if (error instanceof StagecraftError) throw error;
  });
  return result;
}

/** The driver's description of the lock's holders, or `[]` when it has none within a bound or fails. */
async function holdersOf(driver: Driver, spec: LockSpec): Promise<string[]> {
  if (driver.lockHolders === undefined) return [];
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), HOLDERS_LOOKUP_MS)));
  try {
    return await Promise.race([driver.lockHolders(spec).catch(() => []), late]);
  } finally {
    clearTimeout(timer);
  }
}
