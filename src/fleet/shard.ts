import { createHash } from "node:crypto";

/** One shard of a fleet: `index` is 0-based (`0/4` … `3/4`), like Kubernetes' `JOB_COMPLETION_INDEX`. */
export interface Shard {
  index: number;
  count: number;
}

/** The variable Kubernetes Indexed Jobs set in each pod: its 0-based completion index. */
export const JOB_INDEX_ENV = "JOB_COMPLETION_INDEX";
/** The variable that stands in for `--shard`. */
export const SHARD_ENV = "STAGECRAFT_SHARD";

const MASK_64 = (1n << 64n) - 1n;
const JUMP_MULTIPLIER = 2862933555777941757n;

/**
 * The shard (0 … count-1) of a database name: jump consistent hashing (Lamping & Veach) of the
 * first 64 bits of the name's SHA-256. Pure and the same on every machine and Node version, so
 * shards started apart agree; going from N to N+1 shards moves only about 1/(N+1) of the names,
 * and adding a database moves no other.
 */
export function shardOf(name: string, count: number): number {
  let key = createHash("sha256").update(name).digest().readBigUInt64BE(0);
  let bucket = -1;
  let next = 0;
  while (next < count) {
    bucket = next;
    key = (key * JUMP_MULTIPLIER + 1n) & MASK_64;
    next = Math.floor((bucket + 1) * (2 ** 31 / (Number(key >> 33n) + 1)));
  }
  return bucket;
}

/** Whether `name` falls in `shard`. */
export function inShard(name: string, shard: Shard): boolean {
  return shard.count === 1 || shardOf(name, shard.count) === shard.index;
}

/** Why a shard is unusable, or undefined when it is fine. */
export function shardProblem(shard: Shard): string | undefined {
  if (!Number.isInteger(shard.count) || shard.count < 1) return `the shard count must be a whole number ≥ 1 (got ${shard.count})`;
  if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) return `shard ${shard.index}/${shard.count} is out of range: K is 0-based, from 0 to ${shard.count - 1}`;
  return undefined;
}

/**
 * Parses `K/N` (K 0-based) or `auto/N` (K from `JOB_COMPLETION_INDEX`). Throws an Error whose
 * message says what is wrong; the CLI turns it into exit 1.
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>> = process.env): Shard {
  const match = /^\s*(auto|\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new Error(`shard "${text}" is not K/N or auto/N (K is 0-based: 0/4 … 3/4)`);
  const count = Number(match[2]);
  let index: number;
  if (match[1] === "auto") {
    const raw = env[JOB_INDEX_ENV];
    if (raw === undefined || !/^\d+$/.test(raw.trim())) {
      throw new Error(`shard auto/${count} reads ${JOB_INDEX_ENV}, which is ${raw === undefined ? "not set" : `"${raw}", not a whole number`} (Kubernetes sets it in pods of an Indexed Job)`);
    }
    index = Number(raw.trim());
  } else index = Number(match[1]);
  const problem = shardProblem({ index, count });
  if (problem) throw new Error(problem);
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
