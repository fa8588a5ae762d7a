import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve, sep } from "node:path";
import { globToRegExp, isPattern } from "./pattern.js";

export type GlobResult = { ok: true; files: string[] } | { ok: false; message: string };

/**
 * Files matching `pattern` (relative to `dir`), sorted. `*`, `?` and `[…]` match within one
 * folder level, `**` any number of levels; names starting with a dot match only a pattern that
 * starts with a dot, as in a shell. `**` does not descend into symbolic links to folders, so a
 * link loop cannot make discovery endless. The fixed folder the pattern starts from must exist:
 * a fleet whose folder is missing is more likely a wrong path than an empty fleet.
 */
export async function globFiles(pattern: string, dir: string): Promise<GlobResult> {
  const absolute = isAbsolute(pattern) ? pattern : resolve(dir, pattern);
  const segments = absolute.split(sep);
  const firstWild = segments.findIndex(isPattern);
  if (firstWild === -1) {
    const kind = await stat(absolute).then((s) => (s.isFile() ? "file" : "other"), () => "missing");
    return kind === "file" ? { ok: true, files: [absolute] } : { ok: false, message: kind === "missing" ? `file ${absolute} does not exist` : `${absolute} is not a file` };
  }
  const base = segments.slice(0, firstWild).join(sep) || sep;
  const baseKind = await stat(base).then((s) => (s.isDirectory() ? "dir" : "other"), () => "missing");
  if (baseKind !== "dir") return { ok: false, message: `folder ${base} ${baseKind === "missing" ? "does not exist" : "is not a folder"}` };
  const files: string[] = [];
  await walk(base, segments.slice(firstWild), files);
  return { ok: true, files: [...new Set(files)].sort() };
}

async function walk(folder: string, rest: readonly string[], out: string[]): Promise<void> {
  const [segment, ...tail] = rest;
  if (segment === undefined) return;
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  if (segment === "**") {
    await walk(folder, tail, out);
    for (const entry of entries) if (entry.isDirectory() && !entry.name.startsWith(".")) await walk(join(folder, entry.name), rest, out);
    return;
  }
  const matches = matcher(segment);
  for (const entry of entries) {
    if (!matches(entry.name)) continue;
    const path = join(folder, entry.name);
    // A symbolic link counts as what it points to.
    const kind = entry.isSymbolicLink() ? await stat(path).then((s) => (s.isDirectory() ? "dir" : s.isFile() ? "file" : "other"), () => "other") : entry.isDirectory() ? "dir" : entry.isFile() ? "file" : "other";
    if (tail.length === 0 ? kind === "file" : kind === "dir") {
      if (tail.length === 0) out.push(path);
      else await walk(path, tail, out);
    }
  }
}

function matcher(segment: string): (name: string) => boolean {
  if (!isPattern(segment)) return (name) => name === segment;
  const regexp = globToRegExp(segment);
  const dotOk = segment.startsWith(".");
  return (name) => (dotOk || !name.startsWith(".")) && regexp.test(name);
}
