import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
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

/**
 * The processes on this machine holding the migration lock of the SQLite database at
 * `databasePath`: the kernel lists every POSIX lock in /proc/locks (Linux) with the holder's pid
 * and the file's inode, and the lock is a write lock on the lock file. A holder on another
 * machine (a network file system) or a system without /proc/locks gives `[]`. Each holder is
 * named by pid and program (`node stagecraft.js migrate`), never by its full command line.
 */
export function sqliteLockHolders(databasePath: string): string[] {
  let inode: string;
  let locks: string;
  try {
    inode = String(statSync(`${databasePath}${LOCK_FILE_SUFFIX}`, { bigint: true }).ino);
    locks = readFileSync("/proc/locks", "utf8");
  } catch {
    return [];
  }
  const pids = new Set<number>();
  // `1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 1073741825 1073741825`; waiters are `1: -> POSIX …`.
  for (const line of locks.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== "POSIX" || fields[3] !== "WRITE" || fields[5]?.split(":")[2] !== inode) continue;
    const pid = Number(fields[4]);
    if (Number.isInteger(pid) && pid > 0) pids.add(pid);
  }
  return [...pids].map((pid) => (pid === process.pid ? `this process (pid ${pid})` : `process ${pid} on this machine${program(pid)}`));
}

/** ` (node stagecraft.js migrate)`: the program, its script and a plain subcommand word; no flags or values. */
function program(pid: number): string {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((arg) => arg !== "" && !arg.startsWith("-"));
  } catch {
    return "";
  }
  if (argv[0] === undefined) return "";
  // Only the words that cannot carry a secret: the program, a script file, a lowercase command.
  const words = [basename(argv[0])];
  if (argv[1] !== undefined && /\.[cm]?[jt]s$/.test(argv[1])) {
    words.push(basename(argv[1]));
    if (argv[2] !== undefined && /^[a-z][a-z-]*$/.test(argv[2])) words.push(argv[2]);
  }
  return ` (${words.join(" ")})`;
}
