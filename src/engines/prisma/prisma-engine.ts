import { StagecraftError } from "../../errors.js";
import { inTransaction, type Driver } from "../../drivers/driver.js";
import { withDriver } from "../../drivers/open-driver.js";
import type { PlanOptions, PlanResult, ResolveOptions, RunOptions, RunResult } from "../../registry/engine.js";
import { checkScripts, executeScript, nonAtomicFailure, ScriptError, unwrapScriptError } from "../shared/execute-script.js";
import { markActions, previewTarget, upTargets } from "../shared/run-target.js";
import { withLock } from "../shared/with-lock.js";
import type { PrismaConfig } from "./config.js";
import { readPrismaConfig } from "./settings.js";
import { usePrismaSchema } from "./prisma-schema.js";
import { prismaSourceOf, type PrismaMigration } from "./prisma-source.js";
import { planOf, readState, type PrismaState } from "./prisma-state.js";
import { PRISMA_TABLE, PrismaTable } from "./prisma-table.js";

/** Prisma Migrate's own lock: advisory key on PostgreSQL, `GET_LOCK` name on MySQL. */
const PRISMA_LOCK = { name: "prisma_migrate", advisoryKey: 72707369n, exact: true };

export async function plan(opts: PlanOptions): Promise<PlanResult> {
  const config = readPrismaConfig(opts.config);
  return withDriver(opts, async (driver) => {
    await usePrismaSchema(driver, opts.url, false);
    const state = await readState(driver, config, opts);
    const target = previewTarget(opts);
    let blocked = state.blocked;
    let touched = new Set<string>();
    if (target?.direction === "down") blocked ??= noDown();
    else if (target && !blocked) touched = new Set(upTargets(state.migrations, (m) => state.live.has(m.id), target, opts.migrationPath).map((m) => m.id));
    return { migrations: markActions(planOf(state), target, touched), warnings: state.warnings, ...(blocked ? { blocked } : {}) };
  });
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const config = readPrismaConfig(opts.config);
  if (opts.direction === "down") throw noDown();
  return withPrismaLock(opts, async (driver) => {
    const table = new PrismaTable(driver);
    let state = await readState(driver, config, opts);
    if (state.blocked) throw state.blocked;
    if (!state.tableExists) {
      await baselineIfAsked(driver, table, state, config, opts);
      state = await readState(driver, config, opts);
    }
    const todo = upTargets(state.migrations, (m) => state.live.has(m.id), { direction: "up", steps: opts.steps, to: opts.to }, opts.migrationPath);
    await checkScripts(driver, todo.map((m) => ({ migration: m.id, file: m.file, script: m.script })));
    const applied: string[] = [];
    let cancelled = false;
    for (const m of todo) {
      if (opts.signal.aborted) {
        cancelled = true;
        break;
      }
      if (await applyOne(driver, table, m, opts)) applied.push(m.id);
    }
    const after = applied.length === 0 ? state : await readState(driver, config, opts);
    return { applied, ...(cancelled ? { cancelled } : {}), migrations: planOf(after), warnings: after.warnings };
  });
}

/** Prisma's `migrate resolve`: `applied` records the migration as applied; `rolled-back` marks its failed attempt rolled back. */
export async function resolve(opts: ResolveOptions): Promise<void> {
  await withPrismaLock(opts, async (driver) => {
    const table = new PrismaTable(driver);
    await table.ensure();
    const rows = (await table.read()).filter((r) => r.migrationName === opts.migration);
    if (opts.action === "rolled-back") {
      if ((await table.markRolledBack(opts.migration)) === 0) {
        throw new StagecraftError("invalid_config", `migration ${opts.migration} cannot be rolled back because it is not in a failed state (Prisma's P3012)`, { migration: opts.migration });
      }
      return;
    }
    if (rows.some((r) => r.finishedAt !== null && r.rolledBackAt === null)) {
      throw new StagecraftError("invalid_config", `migration ${opts.migration} is already recorded as applied in the database (Prisma's P3008)`, { migration: opts.migration });
    }
    const m = prismaSourceOf(opts).migrations.find((x) => x.id === opts.migration);
    if (m === undefined) throw new StagecraftError("invalid_config", `no migration folder ${opts.migration} in ${opts.migrationPath} (Prisma's P3017)`, { migration: opts.migration });
    await table.markRolledBack(m.id);
    await table.markApplied(m.id, m.checksum);
  });
}

/** Opens the database in the URL's `?schema=` (created if missing, as Prisma does) under Prisma's lock. */
export async function withPrismaLock<T>(opts: PlanOptions, fn: (driver: Driver) => Promise<T>): Promise<T> {
  return withDriver(opts, async (driver) => {
    try {
      return await withLock(driver, PRISMA_LOCK, opts, async () => {
        await usePrismaSchema(driver, opts.url, true);
        return fn(driver);
      });
    } catch (error) {
      if (!(error instanceof StagecraftError) || error.kind !== "lock_timeout") throw error;
      throw new StagecraftError(error.kind, error.message, { ...error.context, hint: "a Prisma CLI (migrate deploy/dev/resolve) or another stagecraft run is migrating this database; Prisma takes the same lock" });
    }
  });
}

function noDown(): StagecraftError {
  return new StagecraftError("unsupported", "Prisma Migrate has no down migrations, so stagecraft cannot revert them", { hint: "create a new migration that undoes the change (prisma migrate dev --create-only)" });
}

/** Prisma's P3005 check, and the baseline that answers it when the config names one. */
async function baselineIfAsked(driver: Driver, table: PrismaTable, state: PrismaState, config: PrismaConfig, opts: RunOptions): Promise<void> {
  const existing = (await driver.listTables()).filter((t) => t !== PRISMA_TABLE);
  if (existing.length > 0 && config.baseline === undefined) {
    throw new StagecraftError("invalid_config", `the database schema is not empty (${existing.slice(0, 5).join(", ")}${existing.length > 5 ? ", …" : ""}) and has no ${PRISMA_TABLE} table (Prisma's P3005)`, {
      hint: "baseline it: set `baseline: <last migration already in the database>` in the database's migrations config (like `prisma migrate resolve --applied`)",
    });
  }
  await table.ensure();
  if (existing.length === 0 || config.baseline === undefined) return;
  const upTo = state.migrations.findIndex((m) => m.id === config.baseline);
  if (upTo < 0) throw new StagecraftError("invalid_config", `baseline migration ${config.baseline} is not in ${opts.migrationPath}`, { hint: "name a migration folder" });
  for (const m of state.migrations.slice(0, upTo + 1)) await table.markApplied(m.id, m.checksum);
}

/**
 * On SQLite and PostgreSQL the migration, its row and its completion commit together, so a
 * failure leaves nothing behind (better than Prisma, whose failed row blocks with P3009). On
 * MySQL, and for opted-out files, the row is written first, as Prisma does, and a failure
 * leaves Prisma's failed row with the error in `logs`.
 */
async function applyOne(driver: Driver, table: PrismaTable, m: PrismaMigration, opts: RunOptions): Promise<boolean> {
  const where = { migration: m.id, file: m.file };
  const started = performance.now();
  // SQLite has no lock of Prisma's: the check inside BEGIN IMMEDIATE keeps a concurrent runner out.
  const claim = async (): Promise<string | undefined> => ((await table.isLive(m.id)) ? undefined : table.start(m.id, m.checksum));
  if (driver.transactionalDdl && !m.noTransaction) {
    const done = await inTransaction(driver, async () => {
      const id = await claim();
      if (id === undefined) return false;
      opts.onProgress?.({ type: "migration:start", migration: m.id });
      await executeScript(driver, { ...where, script: m.script }, { inTransaction: true }).catch(unwrapScriptError);
      await table.finish(id);
      return true;
    });
    if (done) opts.onProgress?.({ type: "migration:applied", migration: m.id, durationMs: Math.round(performance.now() - started) });
    return done;
  }
  const id = await inTransaction(driver, claim);
  if (id === undefined) return false;
  opts.onProgress?.({ type: "migration:start", migration: m.id });
  try {
    await executeScript(driver, { ...where, script: m.script }, { inTransaction: false });
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    await table.fail(id, error.failure.error.message).catch(() => undefined);
    throw nonAtomicFailure(error, opts.database);
  }
  await table.finish(id);
  opts.onProgress?.({ type: "migration:applied", migration: m.id, durationMs: Math.round(performance.now() - started) });
  return true;
}
