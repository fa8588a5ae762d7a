import { StagecraftError } from "../../errors.js";
import { inTransaction, type Driver } from "../../drivers/driver.js";
import { withDriver } from "../../drivers/open-driver.js";
import type { Migration, PlanOptions, ResolveOptions, RunOptions, RunResult } from "../../registry/engine.js";
import { checkScripts, executeScript, nonAtomicFailure, ScriptError, unwrapScriptError } from "../shared/execute-script.js";
import { sha256MatchesIgnoringLineEndings } from "../shared/checksum.js";
import { UnfinishedMarkers } from "../shared/unfinished-marker.js";
import { drizzleConfigSchema, type DrizzleConfig } from "./config.js";
import { detectFormat, readDrizzleMigrations, drizzleScript, type DrizzleMigration } from "./drizzle-source.js";
import { DrizzleTable, type DrizzleRow } from "./drizzle-table.js";
import { matchLegacyRows } from "./drizzle-upgrade.js";

/** Our side table recording non-atomic drizzle migrations that started and did not finish. */
const MARKER_TABLE = "stagecraft_drizzle_unfinished";

interface State {
  migrations: DrizzleMigration[];
  applied: Map<string, DrizzleRow>;
  table: DrizzleTable;
  /** Rows of a drizzle 0.x table under the 1.0 folder layout, with the folder each belongs to. */
  legacy?: Map<DrizzleRow, DrizzleMigration>;
}

export async function plan(opts: PlanOptions): Promise<Migration[]> {
  const config = drizzleConfigSchema.parse(opts.config);
  return withDriver(opts, async (driver) => {
    const state = await readState(driver, config, opts);
    return state.migrations.map((m) => ({ id: m.id, description: m.description, applied: state.applied.has(m.id), checksum: m.checksum }));
  });
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const config = drizzleConfigSchema.parse(opts.config);
  if (opts.direction === "down") {
    throw new StagecraftError("unsupported", "drizzle has no down migrations, so stagecraft cannot revert them", { hint: "write a new migration that undoes the change (drizzle-kit generate)" });
  }
  return withDriver(opts, async (driver) => {
    const lock = await driver.lock({ name: `drizzle:${config.migrationsSchema}.${config.migrationsTable}` }, opts.lockTimeoutMs, opts.signal);
    try {
      const format = detectFormat(opts.migrationPath, config.format);
      await new DrizzleTable(driver, format, config.migrationsTable, config.migrationsSchema).ensure();
      const state = await readState(driver, config, opts);
      if (state.legacy) {
        const names = [...state.legacy].map(([row, m]) => ({ row, name: m.id }));
        await inTransaction(driver, () => state.table.upgrade(names));
      }
      const pending = state.migrations.filter((m) => !state.applied.has(m.id));
      const todo = opts.steps > 0 ? pending.slice(0, opts.steps) : pending;
      checkOrder(todo, state, config);
      await checkScripts(driver, todo.map(drizzleScript));
      const applied: string[] = [];
      for (const m of todo) {
        if (opts.signal.aborted) return { applied, cancelled: true };
        if (await applyOne(driver, state.table, m, opts)) applied.push(m.id);
      }
      return { applied };
    } finally {
      await lock.release().catch(() => undefined);
    }
  });
}

/** `applied`: record a failed (or never run) migration as applied. `rolled-back`: forget a failed attempt. */
export async function resolve(opts: ResolveOptions): Promise<void> {
  const config = drizzleConfigSchema.parse(opts.config);
  await withDriver(opts, async (driver) => {
    const lock = await driver.lock({ name: `drizzle:${config.migrationsSchema}.${config.migrationsTable}` }, opts.lockTimeoutMs, opts.signal);
    try {
      const format = detectFormat(opts.migrationPath, config.format);
      const table = new DrizzleTable(driver, format, config.migrationsTable, config.migrationsSchema);
      await table.ensure();
      const markers = new UnfinishedMarkers(driver, MARKER_TABLE);
      const marked = (await markers.list()).some((u) => u.id === opts.migration);
      const m = (await readDrizzleMigrations(opts.migrationPath, format)).find((x) => x.id === opts.migration);
      if (m === undefined) throw new StagecraftError("invalid_config", `no drizzle migration ${opts.migration} in ${opts.migrationPath}`, { migration: opts.migration });
      if (opts.action === "rolled-back") {
        if (!marked) throw new StagecraftError("invalid_config", `migration ${opts.migration} has no failed attempt to roll back`, { migration: opts.migration });
        await markers.clear(m.id);
        return;
      }
      if (await table.has(m.id, m.createdAt)) throw new StagecraftError("invalid_config", `migration ${m.id} is already recorded as applied`, { migration: m.id });
      await table.insert(m.checksum, m.createdAt, m.id);
      await markers.clear(m.id);
    } finally {
      await lock.release().catch(() => undefined);
    }
  });
}

async function readState(driver: Driver, config: DrizzleConfig, opts: PlanOptions): Promise<State> {
  const format = detectFormat(opts.migrationPath, config.format);
  const migrations = await readDrizzleMigrations(opts.migrationPath, format);
  const table = new DrizzleTable(driver, format, config.migrationsTable, config.migrationsSchema);
  let rows: DrizzleRow[] = [];
  let legacy: Map<DrizzleRow, DrizzleMigration> | undefined;
  if (await table.exists()) {
    const withName = await table.hasNameColumn();
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
  for (const m of migrations) {
    const row = byKey.get(format === "folders" ? m.id : m.createdAt);
    if (row === undefined) continue;
    if (!config.allow_changed && !sha256MatchesIgnoringLineEndings(row.hash, m.script)) {
      throw new StagecraftError("checksum_mismatch", `drizzle migration ${m.id} was changed after it was applied: ${m.file}`, {
        migration: m.id, file: m.file, hint: "restore the applied version and generate a new migration for the change, or set allow_changed: true",
      });
    }
    applied.set(m.id, row);
  }
  for (const u of await new UnfinishedMarkers(driver, MARKER_TABLE).list()) {
    throw new StagecraftError("migration_failed", `drizzle migration ${u.id} started at ${u.startedAt} outside a transaction and did not finish${u.error ? `: ${u.error}` : " (the runner died)"}; it may be partly applied`, {
      migration: u.id,
      hint: `inspect the database, finish or undo it by hand, then run \`stagecraft migrate resolve --database ${opts.database} --applied ${u.id}\` or \`--rolled-back ${u.id}\``,
    });
  }
  return { migrations, applied, table, ...(legacy ? { legacy } : {}) };
}

function checkOrder(todo: DrizzleMigration[], state: State, config: DrizzleConfig): void {
  if (config.allow_out_of_order) return;
  const newest = Math.max(...[...state.applied.values()].map((r) => r.createdAt ?? 0), 0);
  const late = todo.filter((m) => m.createdAt < newest);
  if (late.length > 0) {
    throw new StagecraftError("invalid_config", `pending drizzle migration${late.length > 1 ? "s" : ""} ${late.map((m) => m.id).join(", ")} ${late.length > 1 ? "are" : "is"} older than the newest applied one; drizzle-kit migrate would skip ${late.length > 1 ? "them" : "it"} forever`, {
      migration: late[0]!.id, hint: "regenerate the migration so it is newest, or set allow_out_of_order: true",
    });
  }
}

/** One migration and its row in one transaction; outside one (MySQL DDL, opted out) with a marker around it. */
async function applyOne(driver: Driver, table: DrizzleTable, m: DrizzleMigration, opts: RunOptions): Promise<boolean> {
  const script = drizzleScript(m);
  const started = performance.now();
  if (driver.transactionalDdl && !m.noTransaction) {
    const done = await inTransaction(driver, async () => {
      if (await table.has(m.id, m.createdAt)) return false;
      opts.onProgress?.({ type: "migration:start", migration: m.id });
      await executeScript(driver, script, { inTransaction: true }).catch(unwrapScriptError);
      await table.insert(m.checksum, m.createdAt, m.id);
      return true;
    });
    if (done) opts.onProgress?.({ type: "migration:applied", migration: m.id, durationMs: Math.round(performance.now() - started) });
    return done;
  }
  if (await table.has(m.id, m.createdAt)) return false;
  const markers = new UnfinishedMarkers(driver, MARKER_TABLE);
  await markers.mark(m.id);
  opts.onProgress?.({ type: "migration:start", migration: m.id });
  try {
    await executeScript(driver, script, { inTransaction: false });
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    await markers.fail(m.id, error.failure.error.message).catch(() => undefined);
    throw nonAtomicFailure(error, opts.database);
  }
  await table.insert(m.checksum, m.createdAt, m.id);
  await markers.clear(m.id);
  opts.onProgress?.({ type: "migration:applied", migration: m.id, durationMs: Math.round(performance.now() - started) });
  return true;
}
