import { StagecraftError } from "../../errors.js";
import type { Driver, HeldLock, LockSpec } from "../../drivers/driver.js";
import type { PlanOptions, RunOptions } from "../../registry/engine.js";

/** How long a lock wait lasts before it is reported (`lock:waiting`). */
export const LOCK_WAIT_NOTICE_MS = 1_000;

/** `Driver.lock` with the optional AbortSignal that lets a cancelled run stop waiting. */
type LockWithSignal = (spec: LockSpec, timeoutMs: number, signal?: AbortSignal) => Promise<HeldLock>;

/**
 * Takes the migration lock, runs `fn`, releases. A release that fails with a stagecraft error
 * fails a run that otherwise succeeded: the SQLite driver reports there that the database file
 * was deleted under the run. Other release failures (a dropped connection) are ignored: a
 * server-side lock dies with its session anyway.
 */
export async function withLock<T>(driver: Driver, spec: LockSpec, opts: Pick<PlanOptions, "lockTimeoutMs" | "signal"> & Pick<RunOptions, "onProgress">, fn: () => Promise<T>): Promise<T> {
  // A wait longer than a second is another run holding the lock: say so, or the run looks hung.
  const report = opts.onProgress;
  const waiting = report === undefined ? undefined : setTimeout(() => report({ type: "lock:waiting", lock: spec.label ?? spec.name, target: driver.target, timeoutMs: opts.lockTimeoutMs }), LOCK_WAIT_NOTICE_MS);
  let lock: HeldLock;
  try {
    lock = await (driver.lock as LockWithSignal).call(driver, spec, opts.lockTimeoutMs, opts.signal);
  } finally {
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
