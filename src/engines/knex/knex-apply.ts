import type { Knex } from "knex";
import { StagecraftError } from "../../errors.js";
import type { MigrationProgress, RunOptions, RunResult } from "../../registry/engine.js";
import type { KnexConfig } from "./config.js";
import { pathOf, type KnexFile, type KnexModule } from "./knex-source.js";
import type { KnexTables } from "./knex-tables.js";

/** A migration to run: its file and its loaded module. */
export interface Loaded {
  file: KnexFile;
  module: KnexModule;
}

export interface ApplyContext {
  knex: Knex;
  tables: KnexTables;
  config: KnexConfig;
  opts: RunOptions;
  /** The dialect rolls DDL back with its transaction (SQLite, PostgreSQL; not MySQL). */
  transactionalDdl: boolean;
  /** Turns what a migration threw into the error to report (file, line, kind). */
  translate: (error: unknown, file: string) => StagecraftError;
}

/** knex's rule: a module's own `config.transaction` when it is a boolean, else `!disableTransactions`. */
function usesTransaction(module: KnexModule, config: KnexConfig): boolean {
  const own = module.config?.transaction;
  return typeof own === "boolean" ? own : !config.disableTransactions;
}

/**
 * Whether a run of `todo` is one transaction, as knex's `latest()` makes it: where DDL is
 * transactional and every migration uses a transaction. Then it is all or nothing, knex's lock row
 * is taken inside it (see knex-lock.ts `inLockedTransaction`) and {@link applyInTransaction} runs
 * the migrations; otherwise {@link runMigrations} runs each on its own.
 */
export function runsInOneTransaction(todo: Loaded[], config: KnexConfig, transactionalDdl: boolean): boolean {
  return transactionalDdl && todo.every((m) => usesTransaction(m.module, config));
}

/** What {@link applyInTransaction} did; `held` are the "applied" events, to send once the transaction commits. */
export interface AppliedInTransaction extends RunResult {
  held: MigrationProgress[];
}

/**
 * Runs `todo` up (recording each in `batch`) or down (deleting its row) inside the run's one
 * transaction `trx`. A cancelled run stops between migrations and commits what ran.
 */
export async function applyInTransaction(ctx: ApplyContext, trx: Knex.Transaction, todo: Loaded[], batch: number): Promise<AppliedInTransaction> {
  const done: string[] = [];
  const held: MigrationProgress[] = [];
  for (const m of todo) {
    if (ctx.opts.signal.aborted) return { applied: done, cancelled: true, held };
    held.push(await step(ctx, trx, m, batch));
    done.push(m.file.file);
  }
  return { applied: done, held };
}

/**
 * Runs `todo` each on its own (see {@link runsInOneTransaction}): a migration that cannot roll
 * back with its row (MySQL DDL, `transaction: false`, `disableTransactions`) is marked unfinished
 * in `stagecraft_knex_unfinished` before it starts and unmarked after its row is written, so a
 * failure or a killed runner leaves a record that blocks until `stagecraft migrate resolve`.
 * Call while holding knex's lock row (knex-lock.ts `takeKnexLock`).
 */
export async function runMigrations(ctx: ApplyContext, todo: Loaded[], batch: number): Promise<RunResult> {
  const { knex, config, opts } = ctx;
  const done: string[] = [];
  for (const m of todo) {
    if (opts.signal.aborted) return { applied: done, cancelled: true };
    const transaction = usesTransaction(m.module, config);
    if (ctx.transactionalDdl && transaction) {
      opts.onProgress?.(await knex.transaction((trx) => step(ctx, trx, m, batch)));
    } else {
      opts.onProgress?.(await unguarded(ctx, m, batch, transaction));
    }
    done.push(m.file.file);
  }
  return { applied: done };
}

/** One migration and its bookkeeping on `db`; returns the "applied" event to send once it counts. */
async function step(ctx: ApplyContext, db: Knex | Knex.Transaction, m: Loaded, batch: number): Promise<MigrationProgress> {
  const name = m.file.file;
  const up = ctx.opts.direction === "up";
  ctx.opts.onProgress?.({ type: "migration:start", migration: name });
  const started = performance.now();
  try {
    await (m.module[up ? "up" : "down"] as (db: Knex) => unknown)(db);
  } catch (error) {
    throw ctx.translate(error, name);
  }
  if (up) await ctx.tables.record(db, name, batch);
  else await ctx.tables.forget(db, name);
  return { type: "migration:applied", migration: name, durationMs: Math.round(performance.now() - started) };
}

/** A migration that cannot roll back with its row: marked before, unmarked once its row is written. */
async function unguarded(ctx: ApplyContext, m: Loaded, batch: number, transaction: boolean): Promise<MigrationProgress> {
  const { knex, tables, opts } = ctx;
  const name = m.file.file;
  const up = opts.direction === "up";
  await tables.mark(knex, name, up ? null : `revert with down() of ${name} started and did not finish`);
  let event: MigrationProgress;
  try {
    event = transaction ? await knex.transaction((trx) => step(ctx, trx, m, batch)) : await step(ctx, knex, m, batch);
  } catch (error) {
    const failure = error instanceof StagecraftError ? error : ctx.translate(error, name);
    await tables.fail(knex, name, `${up ? "" : "revert failed: "}${failure.message}`).catch(() => undefined);
    const stays = transaction ? "its DDL committed as it ran, so part of it may stay" : "it ran outside a transaction, so what it did before failing stays";
    throw new StagecraftError(failure.kind, `${failure.message} (${stays}; the migration is recorded as failed and blocks later runs)`, {
      ...failure.context,
      migration: name,
      file: pathOf(m.file),
      hint: `fix the database by hand, then run \`stagecraft migrate resolve --database ${opts.database} --rolled-back ${name}\` to retry it, or \`--applied ${name}\` if it is complete`,
    });
  }
  await tables.unmark(knex, name);
  return event;
}
