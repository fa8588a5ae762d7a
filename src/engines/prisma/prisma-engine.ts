import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import { inTransaction, type Driver, type HeldLock } from "../../drivers/driver.js";
import { withDriver } from "../../drivers/open-driver.js";
import type { Migration, PlanOptions, ResolveOptions, RunOptions, RunResult } from "../../registry/engine.js";
import { sha256MatchesIgnoringLineEndings } from "../shared/checksum.js";
import { checkScripts, executeScript, nonAtomicFailure, ScriptError, unwrapScriptError } from "../shared/execute-script.js";
import { prismaConfigSchema, type PrismaConfig } from "./config.js";
import { readLockProvider, readPrismaMigrations, type PrismaMigration } from "./prisma-source.js";
import { PRISMA_PROVIDER, PRISMA_TABLE, PrismaTable, type PrismaRow } from "./prisma-table.js";

/** Prisma Migrate's own lock: advisory key on PostgreSQL, `GET_LOCK` name on MySQL. */
const PRISMA_LOCK = { name: "prisma_migrate", advisoryKey: 72707369n, exact: true };

interface State {
  migrations: PrismaMigration[];
  /** Rows that count: not rolled back. */
  live: Map<string, PrismaRow>;
  tableExists: boolean;
}

export async function plan(opts: PlanOptions): Promise<Migration[]> {
  const config = prismaConfigSchema.parse(opts.config);
  return withDriver(opts, async (driver) => {
    const state = await readState(driver, config, opts);
    return state.migrations.map((m) => {
      const row = state.live.get(m.id);
      return { id: m.id, description: m.description, applied: row?.finishedAt != null, checksum: m.checksum, ...(row?.finishedAt ? { appliedAt: row.finishedAt } : {}) };
    });
  });
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const config = prismaConfigSchema.parse(opts.config);
  if (opts.direction === "down") {
    throw new StagecraftError("unsupported", "Prisma Migrate has no down migrations, so stagecraft cannot revert them", { hint: "create a new migration that undoes the change (prisma migrate dev --create-only)" });
  }
  return withPrismaLock(opts, async (driver) => {
    const table = new PrismaTable(driver);
    let state = await readState(driver, config, opts);
    if (!state.tableExists) {
      await baselineIfAsked(driver, table, state, config, opts);
      state = await readState(driver, config, opts);
    }
    const pending = state.migrations.filter((m) => !state.live.has(m.id));
    const todo = opts.steps > 0 ? pending.slice(0, opts.steps) : pending;
    await checkScripts(driver, todo.map((m) => ({ migration: m.id, file: m.file, script: m.script })));
    const applied: string[] = [];
    for (const m of todo) {
      if (opts.signal.aborted) return { applied, cancelled: true };
      if (await applyOne(driver, table, m, opts)) applied.push(m.id);
    }
    return { applied };
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
    const m = (await readPrismaMigrations(opts.migrationPath)).find((x) => x.id === opts.migration);
    if (m === undefined) throw new StagecraftError("invalid_config", `no migration folder ${opts.migration} in ${opts.migrationPath} (Prisma's P3017)`, { migration: opts.migration });
    await table.markRolledBack(m.id);
    await table.markApplied(m.id, m.checksum);
  });
}

async function withPrismaLock<T>(opts: PlanOptions, fn: (driver: Driver) => Promise<T>): Promise<T> {
  return withDriver(opts, async (driver) => {
    let lock: HeldLock;
    try {
      lock = await driver.lock(PRISMA_LOCK, opts.lockTimeoutMs, opts.signal);
    } catch (error) {
      if (!(error instanceof StagecraftError)) throw error;
      throw new StagecraftError(error.kind, error.message, { ...error.context, hint: "a Prisma CLI (migrate deploy/dev/resolve) or another stagecraft run is migrating this database; Prisma takes the same lock" });
    }
    try {
      return await fn(driver);
    } finally {
      await lock.release().catch(() => undefined);
    }
  });
}

async function readState(driver: Driver, config: PrismaConfig, opts: PlanOptions): Promise<State> {
  const provider = await readLockProvider(opts.migrationPath);
  const expected = PRISMA_PROVIDER[driver.dialect];
  if (provider !== undefined && provider !== expected) {
    throw new StagecraftError("invalid_config", `migration_lock.toml says provider = "${provider}" but this database is ${expected} (Prisma's P3019)`, {
      file: join(opts.migrationPath, "migration_lock.toml"),
      hint: "point the database at the right migrations folder; Prisma migrations are written for one provider",
    });
  }
  const migrations = await readPrismaMigrations(opts.migrationPath);
  const table = new PrismaTable(driver);
  const tableExists = await table.exists();
  const rows = tableExists ? await table.read() : [];
  const failed = rows.filter((r) => r.finishedAt === null && r.rolledBackAt === null);
  if (failed.length > 0) {
    const list = failed.map((r) => `The \`${r.migrationName}\` migration started at ${r.startedAt} failed${r.logs ? `: ${r.logs}` : ""}`).join("; ");
    throw new StagecraftError("migration_failed", `found failed migrations in the target database, new migrations will not be applied (Prisma's P3009). ${list}`, {
      migration: failed[0]!.migrationName,
      hint: `inspect the database, then run \`stagecraft migrate resolve --database ${opts.database} --rolled-back ${failed[0]!.migrationName}\` (it left nothing; it will be retried) or \`--applied ${failed[0]!.migrationName}\` (you completed it by hand); \`prisma migrate resolve\` does the same`,
    });
  }
  const live = new Map(rows.filter((r) => r.rolledBackAt === null).map((r) => [r.migrationName, r]));
  for (const m of migrations) {
    const row = live.get(m.id);
    if (row && !config.allow_changed && !sha256MatchesIgnoringLineEndings(row.checksum, m.script)) {
      throw new StagecraftError("checksum_mismatch", `migration ${m.id} was modified after it was applied: ${m.file}`, {
        migration: m.id, file: m.file, hint: "restore the applied version and create a new migration for the change, or set allow_changed: true",
      });
    }
  }
  return { migrations, live, tableExists };
}

/** Prisma's P3005 check, and the baseline that answers it when the config names one. */
async function baselineIfAsked(driver: Driver, table: PrismaTable, state: State, config: PrismaConfig, opts: RunOptions): Promise<void> {
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
