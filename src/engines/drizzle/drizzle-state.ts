import { StagecraftError } from "../../errors.js";
import type { Driver } from "../../drivers/driver.js";
import type { Migration, PlanOptions, PlanWarning } from "../../registry/engine.js";
import { sha256MatchesIgnoringLineEndings } from "../shared/checksum.js";
import { toIsoUtc } from "../shared/iso-time.js";
import { UnfinishedMarkers, type Unfinished } from "../shared/unfinished-marker.js";
import type { DrizzleConfig } from "./config.js";
import { detectFormat, readDrizzleMigrations, type DrizzleFormat, type DrizzleMigration } from "./drizzle-source.js";
import { DrizzleTable, type DrizzleRow } from "./drizzle-table.js";
import { matchLegacyRows } from "./drizzle-upgrade.js";

/** Our side table recording non-atomic drizzle migrations that started and did not finish. */
export const MARKER_TABLE = "stagecraft_drizzle_unfinished";

export interface DrizzleState {
  migrations: DrizzleMigration[];
  applied: Map<string, DrizzleRow>;
  table: DrizzleTable;
  /** Whether the table has drizzle 1.0's `name` column; undefined when there is no table yet. */
  nameColumn: boolean | undefined;
  format: DrizzleFormat;
  /** Rows of a drizzle 0.x table under the 1.0 folder layout, with the folder each belongs to. */
  legacy?: Map<DrizzleRow, DrizzleMigration>;
  /** Markers of attempts that did not finish: they block. */
  unfinished: Unfinished[];
  /**
   * Markers of migrations that have their row: the runner died after writing the row and before
   * clearing the marker. The migration is complete; the next run clears these.
   */
  stale: Unfinished[];
  warnings: PlanWarning[];
  blocked?: StagecraftError;
}

export async function readState(driver: Driver, config: DrizzleConfig, opts: PlanOptions): Promise<DrizzleState> {
  const format = detectFormat(opts.migrationPath, config.format);
  const { migrations, warnings } = await readDrizzleMigrations(opts.migrationPath, format);
  const table = new DrizzleTable(driver, format, config.migrationsTable, config.migrationsSchema);
  let rows: DrizzleRow[] = [];
  let legacy: Map<DrizzleRow, DrizzleMigration> | undefined;
  let nameColumn: boolean | undefined;
  if (await table.exists()) {
    const withName = await table.hasNameColumn();
    nameColumn = withName;
    rows = await table.read(withName);
    if (format === "folders" && !withName) {
      // A 0.x table under the 1.0 layout (after `drizzle-kit up`): match as drizzle 1.0 does;
      // `run` upgrades the table in place before applying anything.
      legacy = matchLegacyRows(rows, migrations, table.qualified);
      rows = rows.map((row) => ({ ...row, name: legacy!.get(row)!.id }));
    }
  }
  // A migration's row: by name (1.0 folders), or by created_at = the journal's `when` (0.x).
  const byKey = new Map(rows.map((r) => [format === "folders" ? r.name : r.createdAt, r]));
  const applied = new Map<string, DrizzleRow>();
  let blocked: StagecraftError | undefined;
  for (const m of migrations) {
    const row = byKey.get(format === "folders" ? m.id : m.createdAt);
    if (row === undefined) continue;
    if (!config.allow_changed && !sha256MatchesIgnoringLineEndings(row.hash, m.script)) {
      blocked ??= new StagecraftError("checksum_mismatch", `drizzle migration ${m.id} was changed after it was applied: ${m.file}`, {
        migration: m.id, file: m.file, hint: "restore the applied version and generate a new migration for the change, or set allow_changed: true",
      });
    }
    applied.set(m.id, row);
  }
  const markers = await new UnfinishedMarkers(driver, MARKER_TABLE).list();
  const unfinished = markers.filter((u) => !applied.has(u.id));
  const first = unfinished[0];
  if (first) {
    blocked = new StagecraftError("migration_failed", `drizzle migration ${first.id} started at ${first.startedAt} outside a transaction and did not finish${first.error ? `: ${first.error}` : " (the runner died)"}; it may be partly applied`, {
      migration: first.id,
      hint: `inspect the database, finish or undo it by hand, then run \`stagecraft migrate resolve --database ${opts.database} --applied ${first.id}\` or \`--rolled-back ${first.id}\``,
    });
  }
  const stale = markers.filter((u) => applied.has(u.id));
  return { migrations, applied, table, nameColumn, format, ...(legacy ? { legacy } : {}), unfinished, stale, warnings, ...(blocked ? { blocked } : {}) };
}

/**
 * The state after a run that applied `ids` and succeeded, without reading it all again: the
 * folder is the one just read, markers of the run's own are cleared (others block a run), and the
 * new rows are what the run wrote. A 0.x table's rows are exactly what was inserted; rows of a
 * table with drizzle 1.0's `name` column carry a server-side `applied_at`, so they are read back.
 */
export async function afterRun(state: DrizzleState, ids: string[]): Promise<DrizzleState> {
  if (ids.length === 0) return state;
  const applied = new Map(state.applied);
  const byId = new Map(state.migrations.map((m) => [m.id, m]));
  // 1.0 folders always end with a `name` column (a 0.x table is upgraded first); a 0.x journal's
  // table has one only when drizzle 1.0 made it.
  const nameColumn = state.format === "folders" || state.nameColumn === true;
  if (nameColumn) {
    const rows = new Map((await state.table.read(true)).map((row) => [state.format === "folders" ? row.name : row.createdAt, row]));
    for (const id of ids) {
      const row = rows.get(state.format === "folders" ? id : byId.get(id)!.createdAt);
      if (row === undefined) throw new StagecraftError("internal", `drizzle migration ${id} was applied but its row is not in ${state.table.qualified}`, { migration: id });
      applied.set(id, row);
    }
  } else {
    for (const id of ids) {
      const m = byId.get(id)!;
      applied.set(id, { hash: m.checksum, createdAt: m.createdAt, name: null, appliedAt: null });
    }
  }
  const done = new Set(ids);
  return { ...state, applied, nameColumn, unfinished: state.unfinished.filter((u) => !done.has(u.id)), stale: [] };
}

/** Every migration with its state; unfinished attempts of migrations no longer in the folder come last. */
export function planOf(state: DrizzleState): Migration[] {
  const failed = new Map(state.unfinished.map((u) => [u.id, u]));
  const listed = state.migrations.map((m): Migration => {
    const row = state.applied.get(m.id);
    if (row) {
      const appliedAt = toIsoUtc(row.appliedAt);
      return { id: m.id, description: m.description, applied: true, state: "applied", checksum: m.checksum, ...(appliedAt ? { appliedAt } : {}) };
    }
    const attempt = failed.get(m.id);
    return attempt ? failedEntry(m.id, m.description, attempt, m.checksum) : { id: m.id, description: m.description, applied: false, state: "pending", checksum: m.checksum };
  });
  const known = new Set(state.migrations.map((m) => m.id));
  return [...listed, ...state.unfinished.filter((u) => !known.has(u.id)).map((u) => failedEntry(u.id, u.id, u, undefined))];
}

function failedEntry(id: string, description: string, attempt: Unfinished, checksum: string | undefined): Migration {
  const startedAt = toIsoUtc(attempt.startedAt);
  return { id, description, applied: false, state: "failed", ...(checksum ? { checksum } : {}), ...(startedAt ? { startedAt } : {}), ...(attempt.error ? { error: attempt.error } : {}) };
}
