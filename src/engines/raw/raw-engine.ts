import { StagecraftError } from "../../errors.js";
import type { Driver } from "../../drivers/driver.js";
import { withDriver } from "../../drivers/open-driver.js";
import type { PlanOptions, PlanResult, ResolveOptions, RunOptions, RunResult } from "../../registry/engine.js";
import { checkTarget, downTargets, markActions, previewTarget, upTargets, type Target } from "../shared/run-target.js";
import { withLock } from "../shared/with-lock.js";
import type { RawConfig } from "./config.js";
import { readRawConfig } from "./settings.js";
import { RawHistory, type HistoryRow } from "./raw-history.js";
import { down, missingDownFiles } from "./raw-revert.js";
import { up } from "./raw-apply.js";
import { rawSourceOf } from "./raw-source.js";
import { appliedNewestFirst, checkSchemaSupport, planOf, readState, type RawState } from "./raw-state.js";

export async function plan(opts: PlanOptions): Promise<PlanResult> {
  const config = readRawConfig(opts.config);
  return withDriver(opts, async (driver) => {
    const state = await readState(driver, config, opts);
    const target = previewTarget(opts);
    let blocked = state.blocked;
    let touched = new Set<string>();
    if (target && !blocked) {
      const ids = targets(state, target, opts);
      if (target.direction === "down") blocked = missingDownFiles(ids.map((id) => state.rows.get(id)!), state, opts.migrationPath);
      touched = new Set(ids);
    }
    return { migrations: markActions(planOf(state), target, touched), warnings: state.warnings, ...(blocked ? { blocked } : {}) };
  });
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const config = readRawConfig(opts.config);
  const target: Target = { direction: opts.direction, steps: opts.steps, to: opts.to };
  checkTarget(target);
  // A folder that cannot be read fails before anything, even the bookkeeping table, is created.
  const source = rawSourceOf(opts);
  return withLockedHistory(opts, config, async (driver, history) => {
    const state = await readState(driver, config, opts, source, history);
    if (state.blocked) throw state.blocked;
    const ids = new Set(targets(state, target, opts));
    const written: HistoryRow[] = [];
    const result = opts.direction === "up"
      ? await up(driver, history, state, state.files.filter((f) => ids.has(f.id)), config, opts, written)
      : await down(driver, history, state, appliedNewestFirst(state.rows).filter((row) => ids.has(row.id)), opts);
    if (result.applied.length === 0) return { ...result, migrations: planOf(state), warnings: state.warnings };
    // The table after the run is the table before it plus the rows this run wrote (up) or minus
    // the ones it deleted (down): no second read.
    const rows = new Map(state.rows);
    for (const row of written) rows.set(row.id, row);
    if (opts.direction === "down") for (const id of result.applied) rows.delete(id);
    return { ...result, migrations: planOf({ files: state.files, rows }), warnings: state.warnings };
  });
}

/** IDs a run with `target` touches: pending ones in apply order (up), applied ones newest first (down). */
function targets(state: RawState, target: Target, opts: PlanOptions): string[] {
  if (target.direction === "up") return upTargets(state.files, (f) => state.rows.has(f.id), target, opts.migrationPath).map((f) => f.id);
  const known = [...state.files.map((f) => f.id), ...state.rows.keys()];
  return downTargets(appliedNewestFirst(state.rows), target, opts.migrationPath, known).map((row) => row.id);
}

/** Opens the database, takes the migration lock, makes sure the table exists, runs `fn`, releases. */
export async function withLockedHistory<T>(opts: PlanOptions, config: RawConfig, fn: (driver: Driver, history: RawHistory) => Promise<T>): Promise<T> {
  return withDriver(opts, async (driver) => {
    checkSchemaSupport(driver, config);
    const history = new RawHistory(driver, config.table, config.schema);
    return withLock(driver, { name: `${config.schema ?? ""}.${config.table}`, label: config.schema ? `${config.schema}.${config.table}` : config.table }, opts, async () => {
      await history.ensure();
      return fn(driver, history);
    });
  });
}

/** `applied`: record a failed or never-run migration as applied. `rolled-back`: forget a failed attempt. */
export async function resolve(opts: ResolveOptions): Promise<void> {
  const config = readRawConfig(opts.config);
  await withLockedHistory(opts, config, async (_driver, history) => {
    const row = await history.find(opts.migration);
    if (opts.action === "rolled-back") {
      if (row === undefined || row.finishedAt !== null) {
        throw new StagecraftError("invalid_config", `migration ${opts.migration} has no failed attempt to roll back`, { migration: opts.migration });
      }
      await history.delete(opts.migration);
      return;
    }
    if (row?.finishedAt) throw new StagecraftError("invalid_config", `migration ${opts.migration} is already recorded as applied`, { migration: opts.migration });
    if (row) {
      await history.markFinished(opts.migration, row.executionMs ?? 0);
      return;
    }
    const file = rawSourceOf(opts).files.find((f) => f.id === opts.migration);
    if (file === undefined) throw new StagecraftError("invalid_config", `no migration ${opts.migration} in ${opts.migrationPath}`, { migration: opts.migration });
    await history.insertFinished(file.id, file.checksum, new Date().toISOString(), 0);
  });
}
