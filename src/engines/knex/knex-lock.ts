import type { Knex } from "knex";
import { StagecraftError } from "../../errors.js";
import { backoff } from "../../drivers/lock-key.js";
import type { PlanOptions } from "../../registry/engine.js";
import { OWNER_TABLE, type KnexTables } from "./knex-tables.js";

/**
 * Takes knex's lock row the way knex does (`UPDATE <table>_lock SET is_locked = 1 WHERE
 * is_locked = 0`, one row or it is held), so a knex CLI never runs beside us, and records in the
 * same transaction that stagecraft took it. Call while holding stagecraft's own session lock.
 *
 * That record is how a lock row left by a dead stagecraft run is told apart from a live knex
 * run: a stagecraft run holds the session lock for as long as it holds knex's row, and we hold
 * that session lock now, so a record of ours means its run is gone. Such a row is freed here, in
 * one transaction with the record; a row set without our record belongs to knex itself, and we
 * wait for it (bounded) as for any lock. Returns the release.
 */
export async function takeKnexLock(knex: Knex, tables: KnexTables, opts: PlanOptions): Promise<() => Promise<void>> {
  const lockTable = tables.lockTableName;
  await tables.ensureOwnerTable(knex);
  await guarded(lockTable, () => knex.transaction(async (trx) => {
    const ours = await tables.table(trx, OWNER_TABLE).where({ lock_table: lockTable }).del();
    if (ours > 0) await tables.table(trx, lockTable).update({ is_locked: 0 });
  }));
  const deadline = Date.now() + opts.lockTimeoutMs;
  const wait = backoff();
  for (;;) {
    const taken = await guarded(lockTable, () => knex.transaction(async (trx) => {
      const rows = await tables.table(trx, lockTable).where("is_locked", "=", 0).update({ is_locked: 1 });
      if (rows !== 1) return false;
      await tables.table(trx, OWNER_TABLE).insert({ lock_table: lockTable, taken_at: new Date().toISOString() });
      return true;
    }));
    if (taken) break;
    if (opts.signal.aborted) throw new StagecraftError("cancelled", `stopped waiting for knex's migration lock (${lockTable}.is_locked = 1): the run was cancelled`);
    if (Date.now() >= deadline) throw rowTimeout(lockTable, opts);
    await wait();
  }
  return async () => {
    await knex.transaction(async (trx) => {
      await tables.table(trx, lockTable).update({ is_locked: 0 });
      await tables.table(trx, OWNER_TABLE).where({ lock_table: lockTable }).del();
    });
  };
}

/** Thrown inside {@link inLockedTransaction}'s transaction when knex's lock row is held: rolls it back to wait. */
class RowHeld extends Error {}

/**
 * Runs `fn` in one transaction that takes knex's lock row first and frees it last, as knex's own
 * `latest()` does when every migration uses a transaction: the row is set and reset inside the
 * transaction, so it is never seen set and a crash cannot leave it set (the transaction rolls
 * back), and no record of ours is needed. knex's tables are made sure of in the same transaction
 * (knex's own DDL): a fresh database commits once. A lock row that a dead stagecraft run left set
 * (our record beside it) is freed in the same transaction. While a knex run holds the row, the
 * transaction rolls back and is retried until `lockTimeoutMs`; `fn` must re-read what it relies on,
 * since knex may have applied migrations meanwhile. Call while holding stagecraft's session lock.
 */
export async function inLockedTransaction<T>(knex: Knex, tables: KnexTables, ensure: (trx: Knex.Transaction) => Promise<unknown>, opts: PlanOptions, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const lockTable = tables.lockTableName;
  const deadline = Date.now() + opts.lockTimeoutMs;
  const wait = backoff();
  for (;;) {
    try {
      return await knex.transaction(async (trx) => {
        await ensure(trx);
        const taken = await guarded(lockTable, async () => {
          if (await tables.has(trx, OWNER_TABLE)) {
            const ours = await tables.table(trx, OWNER_TABLE).where({ lock_table: lockTable }).del();
            if (ours > 0) await tables.table(trx, lockTable).update({ is_locked: 0 });
          }
          return (await tables.table(trx, lockTable).where("is_locked", "=", 0).update({ is_locked: 1 })) === 1;
        });
        if (!taken) throw new RowHeld();
        const result = await fn(trx);
        await tables.table(trx, lockTable).update({ is_locked: 0 });
        return result;
      });
    } catch (error) {
      if (!(error instanceof RowHeld)) throw error;
    }
    if (opts.signal.aborted) throw new StagecraftError("cancelled", `stopped waiting for knex's migration lock (${lockTable}.is_locked = 1): the run was cancelled`);
    if (Date.now() >= deadline) throw rowTimeout(lockTable, opts);
    await wait();
  }
}

function rowTimeout(lockTable: string, opts: PlanOptions): StagecraftError {
  return new StagecraftError("lock_timeout", `timed out after ${opts.lockTimeoutMs} ms waiting for knex's migration lock (${lockTable}.is_locked = 1)`, {
    hint: `a knex run (the knex CLI, or an application calling knex.migrate) holds it; stagecraft frees locks its own runs leave behind, so if no knex is running, a crashed knex run left it: free it with \`npx knex migrate:unlock\``,
  });
}

/** A failure to read or write the lock row is that failure (a read-only database, say), never "the lock is held". */
async function guarded<T>(lockTable: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new StagecraftError("migration_failed", `cannot take knex's migration lock (${lockTable}): ${(error as Error).message}`, {
      ...(typeof code === "string" ? { driverCode: code } : {}),
      hint: "the database refused the lock row's update: check that it is writable and that the user may write knex's tables",
    }, { cause: error });
  }
}
