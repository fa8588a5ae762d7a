import { StagecraftError } from "../../errors.js";
import { inTransaction, type Driver } from "../../drivers/driver.js";
import { withDriver } from "../../drivers/open-driver.js";
import type { PlanOptions, PlanResult, ResolveOptions, RunOptions, RunResult } from "../../registry/engine.js";
import { checkScripts, executeScript, nonAtomicFailure, ScriptError, unwrapScriptError } from "../shared/execute-script.js";
import { markActions, previewTarget, upTargets } from "../shared/run-target.js";
import { UnfinishedMarkers } from "../shared/unfinished-marker.js";
import { withLock } from "../shared/with-lock.js";
import type { DrizzleConfig } from "./config.js";
import { readDrizzleConfig } from "./settings.js";
import { detectFormat, readDrizzleMigrations, drizzleScript, type DrizzleMigration } from "./drizzle-source.js";
import { afterRun, MARKER_TABLE, planOf, readState, type DrizzleState } from "./drizzle-state.js";
import { DrizzleTable } from "./drizzle-table.js";

export async function plan(opts: PlanOptions): Promise<PlanResult> {
  const config = readDrizzleConfig(opts.config);
  return withDriver(opts, async (driver) => {
    const state = await readState(driver, config, opts);
    const target = previewTarget(opts);
    let blocked = state.blocked;
    let touched = new Set<string>();
    if (target?.direction === "down") blocked ??= noDown();
    else if (target && !blocked) touched = new Set(upTargets(state.migrations, (m) => state.applied.has(m.id), target, opts.migrationPath).map((m) => m.id));
    return { migrations: markActions(planOf(state), target, touched), warnings: state.warnings, ...(blocked ? { blocked } : {}) };
  });
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const config = readDrizzleConfig(opts.config);
  if (opts.direction === "down") throw noDown();
  return withDriver(opts, async (driver) => {
    if (config.transaction_mode === "all" && !driver.transactionalDdl) throw allNeedsTransactionalDdl();
    return withLock(driver, lockSpec(config), opts, () => runLocked(driver, config, opts));
  });
}

/** The run, with the database's migration lock held. */
async function runLocked(driver: Driver, config: DrizzleConfig, opts: RunOptions): Promise<RunResult> {
  const all = config.transaction_mode === "all";
  // One transaction for the run makes the table in it too (see applyAll).
  const state = await lockedState(driver, config, opts, { ensureTable: !all });
  if (state.blocked) throw state.blocked;
  await upgradeLegacy(driver, state);
  const todo = upTargets(state.migrations, (m) => state.applied.has(m.id), { direction: "up", steps: opts.steps, to: opts.to }, opts.migrationPath);
  checkOrder(todo, state, config);
  await checkScripts(driver, todo.map(drizzleScript));
  const { applied, cancelled } = all ? await applyAll(driver, state.table, todo, opts) : await applyEach(driver, state.table, todo, opts);
  const after = await afterRun(state, applied);
  return { applied, ...(cancelled ? { cancelled } : {}), migrations: planOf(after), warnings: after.warnings };
}

interface Applied {
  applied: string[];
  cancelled: boolean;
}

/** Each migration on its own: committed with its row, or marked around it outside a transaction. */
async function applyEach(driver: Driver, table: DrizzleTable, todo: DrizzleMigration[], opts: RunOptions): Promise<Applied> {
  const applied: string[] = [];
  for (const m of todo) {
    if (opts.signal.aborted) return { applied, cancelled: true };
    if (await applyOne(driver, table, m, opts)) applied.push(m.id);
  }
  return { applied, cancelled: false };
}

/**
 * `transaction_mode: all`: every pending migration and its row in one transaction, as
 * drizzle-orm's `migrate()` runs them: a failure rolls the whole run back. A cancelled run stops
 * between migrations and commits what ran, as "finish the running migration" means elsewhere.
 */
async function applyAll(driver: Driver, table: DrizzleTable, todo: DrizzleMigration[], opts: RunOptions): Promise<Applied> {
  const optOut = todo.find((m) => m.noTransaction);
  if (optOut) throw new StagecraftError("unsupported", `${optOut.file} opts out of transactions (-- stagecraft:no-transaction), which transaction_mode: all cannot honour`, { migration: optOut.id, file: optOut.file, hint: "use transaction_mode: per-migration for this database" });
  const applied: string[] = [];
  // Nothing counts as applied until the one transaction commits: hold back the events.
  const held: { migration: string; durationMs: number }[] = [];
  let cancelled = false;
  if (todo.length === 0) {
    // drizzle makes its table on every run, pending migrations or not.
    await table.ensure();
    return { applied, cancelled };
  }
  await inTransaction(driver, async () => {
    // The table is made in the run's transaction: a fresh database commits once, and a failed
    // first run leaves nothing behind.
    await table.ensure();
    for (const m of todo) {
      if (opts.signal.aborted) {
        cancelled = true;
        break;
      }
      if (await table.has(m.id, m.createdAt)) continue;
      const started = performance.now();
      opts.onProgress?.({ type: "migration:start", migration: m.id });
      await executeScript(driver, drizzleScript(m), { inTransaction: true }).catch(unwrapScriptError);
      await table.insert(m.checksum, m.createdAt, m.id);
      held.push({ migration: m.id, durationMs: Math.round(performance.now() - started) });
      applied.push(m.id);
    }
  });
  for (const event of held) opts.onProgress?.({ type: "migration:applied", ...event });
  return { applied, cancelled };
}

/** MySQL/MariaDB commit the open transaction at every CREATE/ALTER/DROP: no run there can be all or nothing. */
function allNeedsTransactionalDdl(): StagecraftError {
  return new StagecraftError("unsupported", "transaction_mode: all needs transactional DDL; MySQL/MariaDB commit the open transaction at every CREATE, ALTER or DROP (an implicit commit), so a failure could not roll the run back: nothing was run", {
    hint: "use transaction_mode: per-migration (the default): each migration is marked before it runs, so a failure is named and blocks until resolved",
  });
}

/** `applied`: record a failed (or never run) migration as applied. `rolled-back`: forget a failed attempt. */
export async function resolve(opts: ResolveOptions): Promise<void> {
  const config = readDrizzleConfig(opts.config);
  await withDriver(opts, async (driver) => withLock(driver, lockSpec(config), opts, async () => {
    const format = detectFormat(opts.migrationPath, config.format);
    const table = new DrizzleTable(driver, format, config.migrationsTable, config.migrationsSchema);
    await table.ensure();
    const markers = new UnfinishedMarkers(driver, MARKER_TABLE);
    const marked = (await markers.list()).some((u) => u.id === opts.migration);
    const m = (await readDrizzleMigrations(opts.migrationPath, format)).migrations.find((x) => x.id === opts.migration);
    if (m === undefined) throw new StagecraftError("invalid_config", `no drizzle migration ${opts.migration} in ${opts.migrationPath}`, { migration: opts.migration });
    const recorded = await table.has(m.id, m.createdAt);
    if (opts.action === "rolled-back") {
      if (!marked) throw new StagecraftError("invalid_config", `migration ${opts.migration} has no failed attempt to roll back`, { migration: opts.migration });
      if (recorded) {
        throw new StagecraftError("invalid_config", `migration ${m.id} ran to the end and is recorded as applied (its runner died before clearing the unfinished mark); it cannot be rolled back`, {
          migration: m.id, hint: `\`--applied ${m.id}\` clears the mark (the next run clears it too); undo the change with a new migration`,
        });
      }
      await markers.clear(m.id);
      return;
    }
    // A marker beside a row: the migration finished and only the mark is left; clearing it is the resolution.
    if (recorded && !marked) throw new StagecraftError("invalid_config", `migration ${m.id} is already recorded as applied`, { migration: m.id });
    if (!recorded) await table.insert(m.checksum, m.createdAt, m.id);
    await markers.clear(m.id);
  }));
}

/**
 * The state as a locked operation (a run, a baseline) starts from: the table made sure of (unless
 * the caller makes it in its own transaction), and markers left by a runner that died after its
 * migration committed cleared.
 */
export async function lockedState(driver: Driver, config: DrizzleConfig, opts: PlanOptions, { ensureTable = true }: { ensureTable?: boolean } = {}): Promise<DrizzleState> {
  const format = detectFormat(opts.migrationPath, config.format);
  if (ensureTable) await new DrizzleTable(driver, format, config.migrationsTable, config.migrationsSchema).ensure();
  const state = await readState(driver, config, opts);
  if (state.stale.length === 0) return state;
  const markers = new UnfinishedMarkers(driver, MARKER_TABLE);
  for (const marker of state.stale) await markers.clear(marker.id);
  return readState(driver, config, opts);
}

/** A 0.x table under the 1.0 folder layout gets its `name` column filled first, so new rows carry names. */
export async function upgradeLegacy(driver: Driver, state: DrizzleState): Promise<void> {
  if (!state.legacy) return;
  const names = [...state.legacy].map(([row, m]) => ({ row, name: m.id }));
  await inTransaction(driver, () => state.table.upgrade(names));
}

export function lockSpec(config: DrizzleConfig) {
  return { name: `drizzle:${config.migrationsSchema}.${config.migrationsTable}` };
}

function noDown(): StagecraftError {
  return new StagecraftError("unsupported", "drizzle has no down migrations, so stagecraft cannot revert them", { hint: "write a new migration that undoes the change (drizzle-kit generate)" });
}

function checkOrder(todo: DrizzleMigration[], state: DrizzleState, config: DrizzleConfig): void {
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
