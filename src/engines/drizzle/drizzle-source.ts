import { existsSync, statSync } from "node:fs";
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

/** A path and its {@link statKey} when it was read. */
type Input = [path: string, key: string | undefined];

interface Memo extends DrizzleSource {
  /** What the folder was read from: the folder itself, the journal, each file (and each 1.0 sub-folder). */
  inputs: Input[];
}

/** The folders this thread has read, by format and path: every database of a fleet reads the same one. */
const memos = new Map<string, Memo>();
/** Enough for any project; a thread that reads more folders just reads them again. */
const MAX_MEMOS = 1_000;

/** Size, modification time and inode: what changes when a file is edited, replaced or (for a folder) gains or loses an entry. */
function statKey(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Reads the migrations of either drizzle-kit layout, in drizzle's apply order, with what drizzle
 * would skip as warnings. A thread reads, hashes and checks a folder once and then only stats
 * what it was read from, so each further database of a fleet costs a stat per file; any edit,
 * added or removed file reads it again. Callers must not change what it returns.
 */
export async function readDrizzleMigrations(dir: string, format: DrizzleFormat): Promise<DrizzleSource> {
  const memoKey = `${format}\0${dir}`;
  const memo = memos.get(memoKey);
  if (memo !== undefined && memo.inputs.every(([path, key]) => statKey(path) === key)) return { migrations: memo.migrations, warnings: [...memo.warnings] };
  // Each input is stat'ed before it is read: an edit after the stat reads it again next time.
  const inputs: Input[] = [[dir, statKey(dir)]];
  const source = format === "journal" ? readJournal(dir, inputs) : readFolders(dir, inputs);
  if (source.migrations.length === 0) source.warnings.unshift(emptyFolderWarning(dir, format === "journal" ? "entries in meta/_journal.json" : "migration folders (<YYYYMMDDHHMMSS>_name/migration.sql)"));
  if (memos.size >= MAX_MEMOS) memos.clear();
  memos.set(memoKey, { ...source, inputs });
  return { migrations: source.migrations, warnings: [...source.warnings] };
}

function readJournal(dir: string, inputs: Input[]): DrizzleSource {
  const journalPath = join(dir, "meta", "_journal.json");
  let raw: unknown;
  try {
    inputs.push([journalPath, statKey(journalPath)]);
    raw = JSON.parse(readSourceFile(journalPath));
  } catch (error) {
    throw new StagecraftError("invalid_config", `cannot read drizzle journal ${journalPath}: ${(error as Error).message}`, { file: journalPath, hint: "regenerate it with drizzle-kit generate" });
  }
  const journal = journalEntries(raw);
  if ("message" in journal) throw new StagecraftError("invalid_config", `drizzle journal ${journalPath} is malformed at ${journal.path}: ${journal.message}`, { file: journalPath });
  const migrations = journal.entries.map((entry) => {
    const file = join(dir, `${entry.tag}.sql`);
    const key = statKey(file);
    if (key === undefined) throw new StagecraftError("invalid_config", `drizzle journal entry ${entry.tag} has no file ${file}`, { file: journalPath, migration: entry.tag });
    inputs.push([file, key]);
    return migration(entry.tag, file, readSourceFile(file), entry.when);
  });
  // drizzle runs only what the journal lists: a .sql file beside it that it does not list never runs.
  const listed = new Set(journal.entries.map((entry) => `${entry.tag}.sql`));
  const warnings = listSourceDir(dir)
    .filter((entry) => entry.kind === "file" && /\.sql$/i.test(entry.name) && !listed.has(entry.name))
    .map((entry) => ignoredFileWarning(entry.path, "meta/_journal.json does not list it, so drizzle never runs it (create migrations with drizzle-kit generate)"));
  return { migrations, warnings };
}

function readFolders(dir: string, inputs: Input[]): DrizzleSource {
  const warnings: PlanWarning[] = [];
  const folders: string[] = [];
  for (const entry of listSourceDir(dir)) {
    if (entry.kind === "broken" && /^\d{14}/.test(entry.name)) throw brokenLink(entry);
    if (entry.kind !== "dir") continue;
    // A sub-folder's own entries decide whether it is a migration: it is an input too.
    inputs.push([entry.path, statKey(entry.path)]);
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
    inputs.push([file, statKey(file)]);
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
