import { deserialize, serialize } from "node:v8";
import { threadId } from "node:worker_threads";
import type { SharedRef } from "./protocol.js";
import { deepFreeze } from "../util/deep-freeze.js";

/** Decoded values a thread keeps; a fleet with more distinct folders than this decodes some twice. */
const DECODED_CACHE_SIZE = 256;

let counter = 0;
const prefix = `${process.pid}.${threadId}.${Date.now().toString(36)}`;

/**
 * Encodes `value` once into shared memory. Posting the reference to a worker shares the bytes
 * instead of copying them, so data common to thousands of tasks crosses the thread boundary once.
 */
export function share<T>(value: T): SharedRef<T> {
  const bytes = serialize(value);
  const buffer = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return { key: `${prefix}.${counter++}`, buffer };
}

const decoded = new Map<string, unknown>();

/** The value behind a reference, decoded once per thread. */
export function unshare<T>(ref: SharedRef<T>): T {
  const hit = decoded.get(ref.key);
  if (hit !== undefined || decoded.has(ref.key)) return hit as T;
  // v8.deserialize wants its own bytes: copy out of shared memory before decoding.
  // Frozen: every task of the thread gets this same object, so none may change it for the others.
  const value = deepFreeze(deserialize(Buffer.from(new Uint8Array(ref.buffer).slice()))) as T;
  if (decoded.size >= DECODED_CACHE_SIZE) decoded.delete(decoded.keys().next().value!);
  decoded.set(ref.key, value);
  return value;
}

/** Shares one value per distinct key, so equal inputs give the same reference within a call. */
export class SharedTable<T> {
  readonly #refs = new Map<string, SharedRef<T>>();

  get(key: string, make: () => T): SharedRef<T> {
    let ref = this.#refs.get(key);
    if (ref === undefined) this.#refs.set(key, (ref = share(make())));
    return ref;
  }
}
