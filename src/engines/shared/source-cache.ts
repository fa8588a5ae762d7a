import { readFileSync, statSync } from "node:fs";

interface Cached {
  key: string;
  text: string;
}

/** Files read per thread, keyed by path and checked by size, mtime and inode on every read. */
const cache = new Map<string, Cached>();
/** Enough for thousands of migration files; a thread migrating more just rereads. */
const MAX_ENTRIES = 20_000;

/**
 * Reads a migration file. Every database of a fleet shares the same folder, so a worker thread
 * keeps the text of unchanged files instead of reading them again for each database; a stat
 * per file (synchronous: no round trip through libuv's small thread pool) detects any edit.
 */
export function readSourceFile(path: string): string {
  const stat = statSync(path);
  const key = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  const hit = cache.get(path);
  if (hit?.key === key) return hit.text;
  const text = readFileSync(path, "utf8");
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(path, { key, text });
  return text;
}
