import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import type { Driver } from "../../drivers/driver.js";
import type { Migration, PlanOptions, PlanWarning } from "../../registry/engine.js";
import { toIsoUtc } from "../shared/iso-time.js";
import type { RawConfig } from "./config.js";
import { RawHistory, type HistoryRow } from "./raw-history.js";
import { rawSourceOf, type RawMigrationFile, type RawSource } from "./raw-source.js";

export interface RawState {
  files: RawMigrationFile[];
  rows: Map<string, HistoryRow>;
  warnings: PlanWarning[];
  /** Why the database cannot be migrated as it is (a failed attempt, drift); runs fail with it. */
  blocked?: StagecraftError;
}

/** Reads the folder and the table, and finds what blocks the database. Never throws for the database's state. */
export async function readState(driver: Driver, config: RawConfig, opts: PlanOptions, source: RawSource = rawSourceOf(opts), history = new RawHistory(driver, config.table, config.schema)): Promise<RawState> {
  checkSchemaSupport(driver, config);
  const { files, warnings } = source;
  const rows = new Map((await history.read()).map((row) => [row.id, row]));
  const blocked = findBlocker(files, rows, config, opts);
  return { files, rows, warnings, ...(blocked ? { blocked } : {}) };
}

/** Every migration with its state, in apply order; failed attempts whose file is gone come last. */
export function planOf(state: Pick<RawState, "files" | "rows">): Migration[] {
  const known = new Set(state.files.map((f) => f.id));
  const listed = state.files.map((file) => entry(file.id, file.description, file.checksum, state.rows.get(file.id)));
  const orphans = [...state.rows.values()].filter((row) => row.finishedAt === null && !known.has(row.id)).map((row) => entry(row.id, row.id, row.checksum, row));
  return [...listed, ...orphans];
}

function entry(id: string, description: string, checksum: string, row: HistoryRow | undefined): Migration {
  if (row === undefined) return { id, description, applied: false, state: "pending", checksum };
  if (row.finishedAt === null) {
    const startedAt = toIsoUtc(row.startedAt);
    return { id, description, applied: false, state: "failed", checksum, ...(startedAt ? { startedAt } : {}), ...(row.error ? { error: row.error } : {}) };
  }
  const appliedAt = toIsoUtc(row.finishedAt);
  return { id, description, applied: true, state: "applied", checksum, ...(appliedAt ? { appliedAt } : {}) };
}

/** A failed attempt blocks first; then an applied migration whose file is gone or changed. */
function findBlocker(files: RawMigrationFile[], rows: Map<string, HistoryRow>, config: RawConfig, opts: PlanOptions): StagecraftError | undefined {
  const failed = [...rows.values()].find((row) => row.finishedAt === null);
  if (failed) {
    return new StagecraftError("migration_failed", `migration ${failed.id} started at ${failed.startedAt} and did not finish${failed.error ? `: ${failed.error}` : " (the runner died)"}; it may be partly applied`, {
      migration: failed.id,
      hint: `inspect the database, finish or undo the migration by hand, then run \`stagecraft migrate resolve --database ${opts.database} --applied ${failed.id}\` (it is now fully applied) or \`--rolled-back ${failed.id}\` (it left nothing behind)`,
    });
  }
  const byId = new Map(files.map((file) => [file.id, file]));
  for (const row of rows.values()) {
    const file = byId.get(row.id);
    if (file === undefined && !config.allow_missing) {
      return new StagecraftError("checksum_mismatch", `migration ${row.id} is recorded as applied but its file is gone from ${opts.migrationPath}`, {
        migration: row.id,
        file: join(opts.migrationPath, `${row.id}.sql`),
        hint: "restore the file, or set allow_missing: true in the database's migrations config",
      });
    }
    if (file !== undefined && file.checksum !== row.checksum && !config.allow_changed) {
      return new StagecraftError("checksum_mismatch", `migration ${row.id} was changed after it was applied: ${file.file} (checksum ${file.checksum.slice(0, 12)}…, applied ${row.checksum.slice(0, 12)}…)`, {
        migration: row.id,
        file: file.file,
        hint: "restore the applied version and put the change in a new migration, or set allow_changed: true",
      });
    }
  }
  return undefined;
}

/** Applied rows, the most recently applied first: the order a revert goes in. */
export function appliedNewestFirst(rows: Map<string, HistoryRow>): HistoryRow[] {
  return [...rows.values()].filter((row) => row.finishedAt !== null).sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1));
}

export function checkSchemaSupport(driver: Driver, config: RawConfig): void {
  if (config.schema !== undefined && !driver.schemas) {
    throw new StagecraftError("invalid_config", `migrations.schema is not supported on ${driver.dialect}; only PostgreSQL has schemas`, { hint: "remove schema:" });
  }
}
