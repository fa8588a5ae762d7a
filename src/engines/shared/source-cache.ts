import { readFileSync, statSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { StagecraftError } from "../../errors.js";

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
 *
 * A file that is not valid UTF-8 (Latin-1, UTF-16, a stray byte) is refused with the offset of
 * the first bad byte: decoding it anyway would store U+FFFD in the database in its place.
 */
export function readSourceFile(path: string): string {
  const stat = statSync(path);
  const key = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  const hit = cache.get(path);
  if (hit?.key === key) return hit.text;
  const bytes = readFileSync(path);
  if (!isUtf8(bytes)) {
    const offset = firstInvalidUtf8(bytes);
    throw new StagecraftError("invalid_config", `${path} is not valid UTF-8: byte ${offset} (0x${bytes[offset]?.toString(16).padStart(2, "0") ?? "??"}) starts no valid character`, {
      file: path,
      hint: "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`); stagecraft does not guess encodings",
    });
  }
  const text = bytes.toString("utf8");
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(path, { key, text });
  return text;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const second = bytes[i + 1]!;
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}
