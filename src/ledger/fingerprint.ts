import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";

/** SHA-256 (hex) of the config file as it is on disk now. */
export async function configHash(config: StagecraftConfig): Promise<string> {
  return createHash("sha256").update(await readFile(config.file)).digest("hex");
}

/**
 * The migration set of each engine folder the databases use: `engine:folder` (relative to the
 * config) → SHA-256 over every file's relative path and content, in sorted order. Two shards
 * that report different hashes for the same folder ran different releases.
 */
export async function migrationSetHashes(config: StagecraftConfig, databases: readonly DatabaseConfig[]): Promise<Record<string, string>> {
  const folders = new Map<string, { engine: string; path: string }>();
  for (const db of databases) folders.set(`${db.engine}:${relative(config.dir, db.migrationPath).split(sep).join("/") || "."}`, { engine: db.engine, path: db.migrationPath });
  const out: Record<string, string> = {};
  for (const key of [...folders.keys()].sort()) out[key] = await folderHash(folders.get(key)!.path);
  return out;
}

async function folderHash(root: string): Promise<string> {
  const hash = createHash("sha256");
  let files: string[];
  try {
    files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
  } catch {
    return "missing";
  }
  for (const file of files) {
    hash.update(relative(root, file).split(sep).join("/")).update("\0");
    hash.update(await readFile(file)).update("\0");
  }
  return hash.digest("hex");
}
