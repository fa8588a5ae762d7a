import { basename } from "node:path";
import { StagecraftError } from "../../errors.js";
import type { PlanOptions, PlanWarning } from "../../registry/engine.js";
import { CallCache } from "../shared/call-cache.js";
import { normalizedChecksum } from "../shared/checksum.js";
import { readSourceFile } from "../shared/source-cache.js";
import { brokenLink, listSourceDir } from "../shared/source-dir.js";
import { sqlMigration, type SqlMigration } from "../shared/sql-migration.js";
import { emptyFolderWarning, ignoredFileWarning } from "../shared/warnings.js";
import { compareIds, orderWarnings } from "./raw-order.js";
import { refuseCollidingIds } from "./raw-ids.js";

export interface RawMigrationFile extends SqlMigration {
  /** File name of the down script, if any. */
  downFile?: string;
}

export interface RawSource {
  files: RawMigrationFile[];
  warnings: PlanWarning[];
}

/** A migration file name: a number, optionally `_`/`-` and a name; `.sql`, `.up.sql` or `.down.sql`. */
const NAME = /^(\d+(?:[_-].*?)?)\.(up\.|down\.)?sql$/;

/** Folders kept per call in this thread; a fleet with more distinct folders reads some again. */
const perCall = new CallCache<RawSource>(32);

/** The folder as this call first read it in this thread (see CallCache); read afresh outside a call. */
export function rawSourceOf(opts: Pick<PlanOptions, "migrationPath" | "callId">): RawSource {
  return perCall.get(opts.callId, opts.migrationPath, () => readRawMigrations(opts.migrationPath));
}

/**
 * Reads `<id>.sql` (or `<id>.up.sql`) and optional `<id>.down.sql` files, where the ID starts
 * with a number, in numeric order of that number (see {@link compareIds}). Other `.sql` files are
 * skipped with a warning; files with other extensions are ignored.
 */
export function readRawMigrations(dir: string): RawSource {
  const ups = new Map<string, string>();
  const downs = new Map<string, string>();
  const warnings: PlanWarning[] = [];
  for (const entry of listSourceDir(dir)) {
    if (!/\.sql$/i.test(entry.name)) continue;
    const match = NAME.exec(entry.name);
    if (entry.kind === "broken" && match) throw brokenLink(entry);
    if (entry.kind !== "file") continue;
    if (!match) {
      warnings.push(ignoredFileWarning(entry.path, misnamed(entry.name)));
      continue;
    }
    const id = match[1]!;
    if (match[2] === "down.") {
      downs.set(id, entry.name);
      continue;
    }
    const other = ups.get(id);
    if (other !== undefined) {
      throw new StagecraftError("invalid_config", `migration ${id} has two up files, ${other} and ${entry.name}`, { migration: id, file: entry.path, hint: "keep one of them" });
    }
    ups.set(id, entry.name);
  }
  for (const [id, name] of downs) {
    if (!ups.has(id)) {
      throw new StagecraftError("invalid_config", `down file ${name} has no up file ${id}.sql`, { file: `${dir}/${name}`, hint: `add ${id}.sql or remove ${name}` });
    }
  }
  const ids = [...ups.keys()].sort(compareIds);
  refuseCollidingIds(ids.map((id) => ({ id, file: `${dir}/${ups.get(id)!}` })));
  if (ids.length === 0) warnings.unshift(emptyFolderWarning(dir, "migration files (NNN_name.sql)"));
  warnings.push(...orderWarnings(ids, (id) => `${dir}/${ups.get(id)!}`));
  const files = ids.map((id) => {
    const file = `${dir}/${ups.get(id)!}`;
    const script = readSourceFile(file);
    const downFile = downs.get(id);
    return { ...sqlMigration(id, file, script, normalizedChecksum(script)), ...(downFile === undefined ? {} : { downFile }) };
  });
  return { files, warnings };
}

/** Why a `.sql` file is not a migration, and how to make it one. */
function misnamed(name: string): string {
  if (/\.sql$/.test(name) === false) return `the extension must be lower-case .sql (rename it to ${name.replace(/\.sql$/i, ".sql")})`;
  const flyway = /^[VvRrUu](\d+(?:[._]\d+)*)__(.+)\.sql$/.exec(name);
  if (flyway) return `Flyway-style names are not read; migration files start with their number (e.g. ${flyway[1]!.replace(/[._]/g, "_")}_${flyway[2]}.sql)`;
  return `migration files start with their number (e.g. 001_${basename(name, ".sql")}.sql)`;
}
