import Database from "better-sqlite3";
import { StagecraftError } from "../../errors.js";
import { backoff } from "../lock-key.js";

/** Suffix of the lock file beside a SQLite database, next to SQLite's own `-journal`/`-wal`. */
export const LOCK_FILE_SUFFIX = "-stagecraft-lock";

/**
 * The migration lock of a SQLite database, held for a whole run by every stagecraft process.
 *
 * SQLite's own write lock lasts one transaction, which leaves non-transactional migrations and
 * the moments between migrations unguarded. This lock is a write transaction (`BEGIN IMMEDIATE`)
 * held open on a separate, empty SQLite file beside the database: SQLite takes it with POSIX
 * file locks, which the kernel drops when the holding process dies, so a killed runner never
 * leaves a stale lock and a live one is never mistaken for a dead one. Waiting polls with
 * `busy_timeout = 0`, so the thread stays free and a cancelled run stops waiting at once.
 */
export async function takeSqliteLock(databasePath: string, target: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<() => void> {
  const path = `${databasePath}${LOCK_FILE_SUFFIX}`;
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: 0 });
  } catch (error) {
    throw new StagecraftError("connection_failed", `cannot open the migration lock file ${path} of SQLite database ${target}: ${(error as Error).message}`, {
      hint: "stagecraft needs to create and lock this file beside the database: check the folder's permissions",
    });
  }
  const deadline = Date.now() + timeoutMs;
  const wait = backoff();
  for (;;) {
    try {
      db.exec("BEGIN IMMEDIATE");
      break;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") {
        db.close();
        throw new StagecraftError("connection_failed", `cannot take the migration lock file ${path} of SQLite database ${target}: ${(error as Error).message}`, { ...(code ? { driverCode: code } : {}) });
      }
    }
    if (signal?.aborted) {
      db.close();
      throw new StagecraftError("cancelled", `stopped waiting for the migration lock of SQLite database ${target}: the run was cancelled`);
    }
    if (Date.now() >= deadline) {
      db.close();
      throw new StagecraftError("lock_timeout", `timed out after ${timeoutMs} ms waiting for the migration lock of SQLite database ${target} (${path}); another stagecraft process is migrating it`, {
        hint: "wait for the other run to finish, or raise lock_timeout_ms; the lock dies with the process that holds it, so it is never stale",
      });
    }
    await wait();
  }
  return () => {
    if (!db.open) return;
    try {
      db.exec("ROLLBACK");
    } finally {
      db.close();
    }
  };
}
