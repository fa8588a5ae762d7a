import { createHash } from "node:crypto";
import { sleep } from "./connection-options.js";

/** A signed 64-bit key for `name`, stable across processes (PostgreSQL advisory locks). */
export function advisoryKey(name: string): bigint {
  return createHash("sha256").update(name).digest().readBigInt64BE(0);
}

/** `name` shortened to `max` characters with a hash suffix when longer (MySQL lock names ≤ 64). */
export function boundedName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 16);
  return `${name.slice(0, max - 17)}:${hash}`;
}

/**
 * Sleeps, then grows the delay: polling a lock without holding a snapshot between tries.
 * With a signal, the sleep ends (rejecting) the moment it fires.
 */
export function backoff(): (signal?: AbortSignal) => Promise<void> {
  let delayMs = 20;
  return (signal) => {
    const sleeping = sleep(delayMs, signal);
    delayMs = Math.min(delayMs * 2, 500);
    return sleeping;
  };
}
