import { existsSync } from "node:fs";
import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import type { TextRange } from "../../sql/statement.js";
import type { ScriptSource } from "../shared/execute-script.js";
import type { PlanWarning } from "../../registry/engine.js";
import { sha256 } from "../shared/checksum.js";
import { readSourceFile } from "../shared/source-cache.js";
import { brokenLink, listSourceDir } from "../shared/source-dir.js";
import { sqlMigration, type SqlMigration } from "../shared/sql-migration.js";
import { emptyFolderWarning, ignoredFileWarning } from "../shared/warnings.js";

export type DrizzleFormat = "journal" | "folders";

/** `id` is the journal tag or folder name; `checksum` is drizzle's hash (sha256 of the file, no normalisation). */
export interface DrizzleMigration extends SqlMigration {
  /** Journal `when`, or the folder's UTC timestamp in ms: drizzle's `created_at`. */
  createdAt: number;
}

const BREAKPOINT = "--> statement-breakpoint";

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

/**
 * The journal's entries, or where it is malformed (`entries.3.when: expected a number, got
 * string`). Checked by hand, not with zod: this runs in the worker threads, which would otherwise
 * load zod (~0.1 s of CPU per thread) for four fields.
 */
function journalEntries(raw: unknown): { entries: JournalEntry[] } | { path: string; message: string } {
  const kind = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);
  if (kind(raw) !== "object") return { path: "(top)", message: `expected an object, got ${kind(raw)}` };
  const entries = (raw as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) return { path: "entries", message: `expected an array, got ${kind(entries)}` };
  for (const [i, entry] of entries.entries()) {
    if (kind(entry) !== "object") return { path: `entries.${i}`, message: `expected an object, got ${kind(entry)}` };
    for (const [key, type] of [["idx", "number"], ["when", "number"], ["tag", "string"]] as const) {
      const value = (entry as Record<string, unknown>)[key];
      if (typeof value !== type || (type === "number" && !Number.isFinite(value))) return { path: `entries.${i}.${key}`, message: `expected a ${type}, got ${kind(value)}` };
    }
    if ((entry as JournalEntry).tag === "") return { path: `entries.${i}.tag`, message: "expected a non-empty string" };
  }
  return { entries: entries as JournalEntry[] };
}

export function detectFormat(dir: string, wanted: "auto" | DrizzleFormat): DrizzleFormat {
  if (wanted !== "auto") return wanted;
  return existsSync(join(dir, "meta", "_journal.json")) ? "journal" : "folders";
}

export interface DrizzleSource {
  migrations: DrizzleMigration[];
  warnings: PlanWarning[];
}

/** Reads the migrations of either drizzle-kit layout, in drizzle's apply order, with what drizzle would skip as warnings. */
export async function readDrizzleMigrations(dir: string, format: DrizzleFormat): Promise<DrizzleSource> {
  const source = format === "journal" ? readJournal(dir) : readFolders(dir);
  if (source.migrations.length === 0) source.warnings.unshift(emptyFolderWarning(dir, format === "journal" ? "entries in meta/_journal.json" : "migration folders (<YYYYMMDDHHMMSS>_name/migration.sql)"));
  return source;
}

function readJournal(dir: string): DrizzleSource {
  const journalPath = join(dir, "meta", "_journal.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readSourceFile(journalPath));
  } catch (error) {
    throw new StagecraftError("invalid_config", `cannot read drizzle journal ${journalPath}: ${(error as Error).message}`, { file: journalPath, hint: "regenerate it with drizzle-kit generate" });
  }
  const journal = journalEntries(raw);
  if ("message" in journal) throw new StagecraftError("invalid_config", `drizzle journal ${journalPath} is malformed at ${journal.path}: ${journal.message}`, { file: journalPath });
  const migrations = journal.entries.map((entry) => {
    const file = join(dir, `${entry.tag}.sql`);
    if (!existsSync(file)) throw new StagecraftError("invalid_config", `drizzle journal entry ${entry.tag} has no file ${file}`, { file: journalPath, migration: entry.tag });
    return migration(entry.tag, file, readSourceFile(file), entry.when);
  });
  // drizzle runs only what the journal lists: a .sql file beside it that it does not list never runs.
  const listed = new Set(journal.entries.map((entry) => `${entry.tag}.sql`));
  const warnings = listSourceDir(dir)
    .filter((entry) => entry.kind === "file" && /\.sql$/i.test(entry.name) && !listed.has(entry.name))
    .map((entry) => ignoredFileWarning(entry.path, "meta/_journal.json does not list it, so drizzle never runs it (create migrations with drizzle-kit generate)"));
  return { migrations, warnings };
}

function readFolders(dir: string): DrizzleSource {
  const warnings: PlanWarning[] = [];
  const folders: string[] = [];
  for (const entry of listSourceDir(dir)) {
    if (entry.kind === "broken" && /^\d{14}/.test(entry.name)) throw brokenLink(entry);
    if (entry.kind !== "dir") continue;
    if (existsSync(join(entry.path, "migration.sql"))) folders.push(entry.name);
    else if (entry.name !== "meta") warnings.push(ignoredFileWarning(entry.path, "the folder has no migration.sql, so drizzle skips it"));
  }
  // drizzle 1.0 sorts with localeCompare; folder names start with 14 digits, so this is stable.
  folders.sort((a, b) => a.localeCompare(b));
  const migrations = folders.map((name) => {
    const stamp = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(name);
    if (!stamp) {
      throw new StagecraftError("invalid_config", `drizzle migration folder ${name} does not start with a UTC timestamp (YYYYMMDDHHMMSS)`, { file: join(dir, name), hint: "use the folder names drizzle-kit generates" });
    }
    const [, y, mo, d, h, mi, s] = stamp.map(Number) as [number, number, number, number, number, number, number];
    const file = join(dir, name, "migration.sql");
    return migration(name, file, readSourceFile(file), Date.UTC(y, mo - 1, d, h, mi, s));
  });
  return { migrations, warnings };
}

function migration(id: string, file: string, script: string, createdAt: number): DrizzleMigration {
  return { ...sqlMigration(id, file, script, sha256(script)), createdAt };
}

/**
 * The script with drizzle's `--> statement-breakpoint` chunks, which drizzle-orm sends one by
 * one: each chunk is split and sent on its own (see executeScript).
 */
export function drizzleScript(m: DrizzleMigration): ScriptSource {
  return { migration: m.id, file: m.file, script: m.script, chunks: breakpointChunks(m.script) };
}

/** The text between `--> statement-breakpoint` markers, as drizzle-orm cuts it. */
function breakpointChunks(script: string): TextRange[] {
  const chunks: TextRange[] = [];
  let start = 0;
  for (let at = script.indexOf(BREAKPOINT); at >= 0; at = script.indexOf(BREAKPOINT, start)) {
    chunks.push({ start, end: at });
    start = at + BREAKPOINT.length;
  }
  chunks.push({ start, end: script.length });
  return chunks;
}
