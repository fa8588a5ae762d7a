import { StagecraftError } from "../../errors.js";
import type { Driver, HeldLock, LockSpec } from "../../drivers/driver.js";
import type { PlanOptions } from "../../registry/engine.js";

/** `Driver.lock` with the optional AbortSignal that lets a cancelled run stop waiting. */
type LockWithSignal = (spec: LockSpec, timeoutMs: number, signal?: AbortSignal) => Promise<HeldLock>;

/**
 * Takes the migration lock, runs `fn`, releases. A release that fails with a stagecraft error
 * fails a run that otherwise succeeded: the SQLite driver reports there that the database file
 * was deleted under the run. Other release failures (a dropped connection) are ignored: a
 * server-side lock dies with its session anyway.
 */
export async function withLock<T>(driver: Driver, spec: LockSpec, opts: Pick<PlanOptions, "lockTimeoutMs" | "signal">, fn: () => Promise<T>): Promise<T> {
  const lock = await (driver.lock as LockWithSignal).call(driver, spec, opts.lockTimeoutMs, opts.signal);
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
