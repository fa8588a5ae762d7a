import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { StagecraftError } from "../../errors.js";

export interface SourceEntry {
  name: string;
  path: string;
  /** What the entry is once symbolic links are followed; `broken` for a link that leads nowhere or loops. */
  kind: "file" | "dir" | "other" | "broken";
  /** For `broken`: why (ENOENT, ELOOP, …). */
  problem?: string;
}

/**
 * The entries of a migrations folder, sorted by name, with symbolic links followed: a linked
 * file or folder counts as what it points to. Nothing recurses, so a link loop cannot hang; it
 * shows as `broken`, and the engine reports it when its name looks like a migration.
 */
export function listSourceDir(dir: string): SourceEntry[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT" ? "does not exist" : code === "ENOTDIR" ? "is not a folder" : code === "EACCES" ? "cannot be read (permission denied)" : `cannot be read: ${(error as Error).message}`;
    throw new StagecraftError("invalid_config", `migrations folder ${dir} ${why}`, { file: dir, hint: "check migrations.path in the config (it is relative to the config file)" });
  }
  const out: SourceEntry[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (!entry.isSymbolicLink()) {
      out.push({ name: entry.name, path, kind: entry.isFile() ? "file" : entry.isDirectory() ? "dir" : "other" });
      continue;
    }
    try {
      const target = statSync(path);
      out.push({ name: entry.name, path, kind: target.isFile() ? "file" : target.isDirectory() ? "dir" : "other" });
    } catch (error) {
      const code = (error as { code?: string }).code ?? "error";
      out.push({ name: entry.name, path, kind: "broken", problem: code === "ELOOP" ? "a symbolic link loop" : code === "ENOENT" ? "a symbolic link to nothing" : `a symbolic link that cannot be followed (${code})` });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The error for a migration that is a broken symbolic link. */
export function brokenLink(entry: SourceEntry): StagecraftError {
  return new StagecraftError("invalid_config", `migration ${entry.path} is ${entry.problem ?? "a broken symbolic link"}`, {
    file: entry.path,
    hint: "point the link at the migration file (or folder), or remove it",
  });
}
