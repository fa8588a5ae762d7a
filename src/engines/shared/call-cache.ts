import { deepFreeze } from "../../util/deep-freeze.js";

/**
 * What an engine read from a migrations folder, kept for the rest of one call in this thread
 * (see `PlanOptions.callId`): every database of a fleet after the first takes the folder as the
 * first one found it, with no listing, stat, read or hash of its files. The value is frozen, as
 * all those databases share it; a failed read is not kept, so each database reports it. The
 * next call reads the folder again (a file whose size, modification time and inode are unchanged
 * is taken from the thread's source cache, see source-cache.ts).
 */
export class CallCache<T> {
  readonly #entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(callId: string | undefined, key: string, read: () => T): T {
    if (callId === undefined) return read();
    const at = `${callId}\0${key}`;
    const hit = this.#entries.get(at);
    if (hit !== undefined) return hit;
    const value = deepFreeze(read());
    // Oldest first out: a call's folders are all read near its start.
    if (this.#entries.size >= this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(at, value);
    return value;
  }
}
