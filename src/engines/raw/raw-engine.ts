import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { StagecraftError } from "../../errors.js";
import { inTransaction, type Driver } from "../../drivers/driver.js";
import { withDriver } from "../../drivers/open-driver.js";
import type { Migration, MigrationProgress, PlanOptions, ResolveOptions, RunOptions, RunResult } from "../../registry/engine.js";
import { checkScripts, executeScript, nonAtomicFailure, ScriptError, unwrapScriptError } from "../shared/execute-script.js";
import { rawConfigSchema, type RawConfig } from "./config.js";
import { RawHistory, type HistoryRow } from "./raw-history.js";
import { readRawMigrations, type RawMigrationFile } from "./raw-source.js";

interface State {
  files: RawMigrationFile[];
  rows: Map<string, HistoryRow>;
}

export async function plan(opts: PlanOptions): Promise<Migration[]> {
  const config = rawConfigSchema.parse(opts.config);
  return withDriver(opts, async (driver) => {
    return planOf(await readState(driver, config, opts));
  });
}

function planOf(state: State): Migration[] {
  return state.files.map((file) => {
    const row = state.rows.get(file.id);
    return { id: file.id, description: file.description, applied: row !== undefined, checksum: file.checksum, ...(row?.finishedAt ? { appliedAt: row.finishedAt } : {}) };
  });
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const config = rawConfigSchema.parse(opts.config);
  if (opts.direction === "down" && opts.steps < 1) {
    throw new StagecraftError("invalid_config", "reverting needs steps ≥ 1 (how many migrations to revert)", { hint: "pass --steps N with --down" });
  }
  return withLockedHistory(opts, config, async (driver, history) => {
    const state = await readState(driver, config, opts);
    const result = opts.direction === "up" ? await up(driver, history, state, config, opts) : await down(driver, history, state, opts);
    if (result.applied.length === 0) return { ...result, migrations: planOf(state) };
    // appliedAt of this run's migrations as recorded: read back only when something changed.
    const rows = new Map((await history.read()).map((row) => [row.id, row]));
    return { ...result, migrations: planOf({ files: state.files, rows }) };
  });
}

/** Opens the database, takes the migration lock, makes sure the table exists, runs `fn`, releases. */
async function withLockedHistory<T>(opts: PlanOptions, config: RawConfig, fn: (driver: Driver, history: RawHistory) => Promise<T>): Promise<T> {
  return withDriver(opts, async (driver) => {
    checkSchemaSupport(driver, config);
    const history = new RawHistory(driver, config.table, config.schema);
    const lock = await driver.lock({ name: `${config.schema ?? ""}.${config.table}` }, opts.lockTimeoutMs, opts.signal);
    try {
      await history.ensure();
      return await fn(driver, history);
    } finally {
      await lock.release().catch(() => undefined);
    }
  });
}

/** `applied`: record a failed or never-run migration as applied. `rolled-back`: forget a failed attempt. */
export async function resolve(opts: ResolveOptions): Promise<void> {
  const config = rawConfigSchema.parse(opts.config);
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
    const file = (await readRawMigrations(opts.migrationPath)).find((f) => f.id === opts.migration);
    if (file === undefined) throw new StagecraftError("invalid_config", `no migration ${opts.migration} in ${opts.migrationPath}`, { migration: opts.migration });
    await history.insertFinished(file.id, file.checksum, new Date().toISOString(), 0);
  });
}

async function readState(driver: Driver, config: RawConfig, opts: PlanOptions): Promise<State> {
  checkSchemaSupport(driver, config);
  const files = await readRawMigrations(opts.migrationPath);
  const rows = new Map((await new RawHistory(driver, config.table, config.schema).read()).map((row) => [row.id, row]));
  const byId = new Map(files.map((file) => [file.id, file]));
  for (const row of rows.values()) {
    if (row.finishedAt === null) {
      throw new StagecraftError("migration_failed", `migration ${row.id} started at ${row.startedAt} and did not finish${row.error ? `: ${row.error}` : " (the runner died)"}; it may be partly applied`, {
        migration: row.id,
        hint: `inspect the database, finish or undo the migration by hand, then run \`stagecraft migrate resolve --database ${opts.database} --applied ${row.id}\` (it is now fully applied) or \`--rolled-back ${row.id}\` (it left nothing behind)`,
      });
    }
    const file = byId.get(row.id);
    if (file === undefined && !config.allow_missing) {
      throw new StagecraftError("checksum_mismatch", `migration ${row.id} is recorded as applied but its file is gone from ${opts.migrationPath}`, {
        migration: row.id,
        file: join(opts.migrationPath, `${row.id}.sql`),
        hint: "restore the file, or set allow_missing: true in the database's migrations config",
      });
    }
    if (file !== undefined && file.checksum !== row.checksum && !config.allow_changed) {
      throw new StagecraftError("checksum_mismatch", `migration ${row.id} was changed after it was applied: ${file.file} (checksum ${file.checksum.slice(0, 12)}…, applied ${row.checksum.slice(0, 12)}…)`, {
        migration: row.id,
        file: file.file,
        hint: "restore the applied version and put the change in a new migration, or set allow_changed: true",
      });
    }
  }
  return { files, rows };
}

async function up(driver: Driver, history: RawHistory, state: State, config: RawConfig, opts: RunOptions): Promise<RunResult> {
  const pending = state.files.filter((file) => !state.rows.has(file.id));
  const todo = opts.steps > 0 ? pending.slice(0, opts.steps) : pending;
  if (!config.allow_out_of_order) {
    const newest = [...state.rows.keys()].sort().at(-1);
    const late = newest === undefined ? [] : todo.filter((file) => file.id < newest);
    if (late.length > 0) {
      throw new StagecraftError("invalid_config", `pending migration${late.length > 1 ? "s" : ""} ${late.map((f) => f.id).join(", ")} sort${late.length > 1 ? "" : "s"} before the newest applied migration ${newest}`, {
        migration: late[0]!.id,
        hint: "rename the file so it sorts last, or set allow_out_of_order: true",
      });
    }
  }
  await checkScripts(driver, todo.map((file) => ({ migration: file.id, file: file.file, script: file.script })));
  const applied: string[] = [];
  if (config.transaction_mode === "all" && todo.length > 0) {
    if (!driver.transactionalDdl) throw new StagecraftError("unsupported", `transaction_mode: all needs transactional DDL, which ${driver.dialect} does not have`, { hint: "use transaction_mode: per-migration" });
    const optOut = todo.find((file) => file.noTransaction);
    if (optOut) throw new StagecraftError("unsupported", `${optOut.file} opts out of transactions, which transaction_mode: all cannot honour`, { migration: optOut.id, file: optOut.file });
    // Nothing counts as applied until the one transaction commits: hold back the events.
    const held: MigrationProgress[] = [];
    const holding = { ...opts, onProgress: (event: MigrationProgress) => (event.type === "migration:applied" ? held.push(event) : opts.onProgress?.(event)) };
    await inTransaction(driver, async () => {
      for (const file of todo) {
        if (await history.find(file.id)) continue;
        await applyOne(driver, history, file, holding, false);
        applied.push(file.id);
      }
    });
    for (const event of held) opts.onProgress?.(event);
    return { applied };
  }
  for (const file of todo) {
    if (opts.signal.aborted) return { applied, cancelled: true };
    const atomic = driver.transactionalDdl && !file.noTransaction;
    const done = atomic
      ? await inTransaction(driver, async () => (await history.find(file.id)) === undefined && (await applyOne(driver, history, file, opts, false)))
      : await applyOne(driver, history, file, opts, true);
    if (done) applied.push(file.id);
  }
  return { applied };
}

/** Runs one file and writes its row. Non-atomic runs record the start first and the end after. */
async function applyOne(driver: Driver, history: RawHistory, file: RawMigrationFile, opts: RunOptions, recordFirst: boolean): Promise<boolean> {
  const where = { migration: file.id, file: file.file };
  const startedAt = new Date().toISOString();
  const started = performance.now();
  if (recordFirst) {
    const claimed = await inTransaction(driver, async () => {
      if (await history.find(file.id)) return false;
      await history.insertStarted(file.id, file.checksum, startedAt);
      return true;
    });
    if (!claimed) return false;
  }
  opts.onProgress?.({ type: "migration:start", migration: file.id });
  try {
    await executeScript(driver, { ...where, script: file.script }, { inTransaction: !recordFirst });
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    if (!recordFirst) throw error.failure.error;
    await history.markUnfinished(file.id, error.failure.error.message).catch(() => undefined);
    throw nonAtomicFailure(error, opts.database);
  }
  const executionMs = Math.round(performance.now() - started);
  if (recordFirst) await history.markFinished(file.id, executionMs);
  else await history.insertFinished(file.id, file.checksum, startedAt, executionMs);
  opts.onProgress?.({ type: "migration:applied", migration: file.id, durationMs: executionMs });
  return true;
}

async function down(driver: Driver, history: RawHistory, state: State, opts: RunOptions): Promise<RunResult> {
  const applied = [...state.rows.values()].sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1));
  const targets = applied.slice(0, opts.steps);
  const files = new Map(state.files.map((file) => [file.id, file]));
  const missing = targets.filter((row) => files.get(row.id)?.downFile === undefined);
  if (missing.length > 0) {
    throw new StagecraftError("unsupported", `cannot revert ${missing.map((r) => r.id).join(", ")}: no ${missing.map((r) => `${r.id}.down.sql`).join(", ")} in ${opts.migrationPath}; nothing was reverted`, {
      migration: missing[0]!.id,
      hint: "add the down file(s), or revert fewer steps",
    });
  }
  const reverted: string[] = [];
  for (const row of targets) {
    if (opts.signal.aborted) return { applied: reverted, cancelled: true };
    const file = files.get(row.id)!;
    const downFile = file.downFile!;
    const script = await readFile(join(opts.migrationPath, downFile), "utf8");
    const where = { migration: row.id, file: join(opts.migrationPath, downFile) };
    opts.onProgress?.({ type: "migration:start", migration: row.id });
    const started = performance.now();
    if (driver.transactionalDdl && !file.noTransaction) {
      await inTransaction(driver, async () => {
        await executeScript(driver, { ...where, script }, { inTransaction: true }).catch(unwrapScriptError);
        await history.delete(row.id);
      });
    } else {
      await history.markUnfinished(row.id, `revert with ${downFile} started and did not finish`);
      try {
        await executeScript(driver, { ...where, script }, { inTransaction: false });
      } catch (error) {
        const failure = error instanceof ScriptError ? error.failure.error : error;
        await history.markUnfinished(row.id, `revert with ${downFile} failed: ${(failure as Error).message}`).catch(() => undefined);
        throw failure;
      }
      await history.delete(row.id);
    }
    opts.onProgress?.({ type: "migration:applied", migration: row.id, durationMs: Math.round(performance.now() - started) });
    reverted.push(row.id);
  }
  return { applied: reverted };
}

function checkSchemaSupport(driver: Driver, config: RawConfig): void {
  if (config.schema !== undefined && !driver.schemas) {
    throw new StagecraftError("invalid_config", `migrations.schema is not supported on ${driver.dialect}; only PostgreSQL has schemas`, { hint: "remove schema:" });
  }
}
