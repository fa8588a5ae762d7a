import mysql from "mysql2/promise";
import { withinMs, type ConnectTarget } from "../connection-options.js";
import { connectionFailed } from "../connection-errors.js";
import { StallWatch, boundEnd, callQuery, routeQueries, type SessionState } from "../stall-watch.js";

/** A goodbye that takes longer than this is cut: the socket is destroyed instead. */
export const MYSQL_CLOSE_TIMEOUT_MS = 1_000;

/** Opens one connection, bounded by the connect timeout (TCP, TLS and the handshake). */
export async function openConnection(url: string, at: ConnectTarget): Promise<mysql.Connection> {
  try {
    const conn = await mysql.createConnection({
      uri: url,
      connectTimeout: at.options.connectTimeoutMs,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      // mysql2 asks for IGNORE_SPACE by default, which changes how `name (` parses and is stored
      // with every routine a migration creates; the mysql client and Prisma do not ask for it.
      flags: ["-IGNORE_SPACE"],
      enableKeepAlive: true,
      keepAliveInitialDelay: Math.max(1_000, Math.floor(at.options.stallTimeoutMs / 3)),
    });
    // A dropped connection must not crash the thread; the next query reports it.
    conn.on("error", () => undefined);
    return conn;
  } catch (error) {
    throw connectionFailed(at, error);
  }
}

/**
 * The server ends a session of ours idle for the stall timeout, in or out of a transaction,
 * releasing its `GET_LOCK` (the lease our pings renew); a read or write to a vanished client
 * gives up after the same time.
 */
export function sessionSettingsSql(stallTimeoutMs: number): string {
  const seconds = Math.max(1, Math.ceil(stallTimeoutMs / 1_000));
  return `SET SESSION wait_timeout = ${seconds}, net_read_timeout = ${seconds}, net_write_timeout = ${seconds}`;
}

/** Runs `fn` on a fresh connection, all of it (connect included) within the connect timeout. */
export async function onSideConnection<T>(url: string, at: ConnectTarget, fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const connecting = openConnection(url, at);
  let ok = false;
  try {
    const result = await withinMs(connecting.then(fn), at.options.connectTimeoutMs, () => new Error(`no answer within ${at.options.connectTimeoutMs} ms`));
    ok = true;
    return result;
  } finally {
    // A connection that opens after the deadline is closed too, not leaked.
    connecting.then((conn) => (ok ? closeConnection(conn) : destroyConnection(conn)), () => undefined);
  }
}

/** The sessions holding user lock `?` (`GET_LOCK`'s name), for {@link describeHolders}. */
export const LOCK_HOLDERS_SQL = "SELECT id, user, host, time FROM information_schema.processlist WHERE id = IS_USED_LOCK(?)";

export function describeHolders(rows: readonly { id: string | number; user: string; host: string; time: number | string }[]): string[] {
  return rows.map((h) => `connection ${h.id} (${h.user}@${h.host}, ${h.time} s in its current state)`);
}

/** Who holds user lock `name`, asked over a second connection (the driver's own waits in `GET_LOCK`). */
export async function lockHolders(url: string, at: ConnectTarget, name: string): Promise<string[]> {
  return onSideConnection(url, at, async (conn) => describeHolders((await conn.query(LOCK_HOLDERS_SQL, [name]))[0] as { id: string; user: string; host: string; time: number }[]));
}

/** What the server says connection `id` is doing. */
export async function probeSession(url: string, at: ConnectTarget, id: number): Promise<SessionState> {
  return onSideConnection(url, at, async (conn) => {
    const [rows] = await conn.query("SELECT COMMAND AS command, TIME AS time_s FROM information_schema.PROCESSLIST WHERE ID = ?", [id]);
    const row = (rows as { command: string; time_s: number | string }[])[0];
    if (row === undefined || row.command === "Killed") return { state: "gone" };
    if (row.command === "Sleep") return { state: "idle", idleMs: Number(row.time_s) * 1_000 };
    return { state: "running" };
  });
}

/** `KILL CONNECTION` (the session, its transaction and its locks) or `KILL QUERY` (only what it runs now). */
export async function killSession(url: string, at: ConnectTarget, id: number, what: "CONNECTION" | "QUERY"): Promise<void> {
  await onSideConnection(url, at, (conn) => conn.query(`KILL ${what} ${Number(id)}`));
}

export async function closeConnection(conn: mysql.Connection): Promise<void> {
  await withinMs(conn.end(), MYSQL_CLOSE_TIMEOUT_MS, () => new Error("close timed out")).catch(() => destroyConnection(conn));
}

/** Destroys the socket itself: mysql2's `destroy()` only half-closes it, which a black hole never answers. */
export function destroyConnection(conn: mysql.Connection): void {
  const core = (conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
  core?.stream?.destroy();
}

/** `CREATE DATABASE IF NOT EXISTS` for `url`'s database, over a connection without a default database. */
export async function createDatabase(url: string, at: ConnectTarget, name: string): Promise<void> {
  const server = new URL(url);
  server.pathname = "/";
  await onSideConnection(server.toString(), at, (conn) => conn.query(`CREATE DATABASE IF NOT EXISTS \`${name.replaceAll("`", "``")}\``));
}

/**
 * Puts a mysql2 core (callback) connection that a library drives (knex's) under the same rules
 * as our own driver: session settings, a stall watch on every query, and a bounded `end`.
 */
export async function superviseConnection(conn: { query: (...args: unknown[]) => unknown; end: (...args: unknown[]) => unknown; threadId: number; stream?: { destroy(): void } }, url: string, at: ConnectTarget): Promise<void> {
  const original = conn.query.bind(conn);
  let id = conn.threadId;
  const destroy = (): void => conn.stream?.destroy();
  const watch = new StallWatch({
    target: at.target,
    stallTimeoutMs: at.options.stallTimeoutMs,
    connectTimeoutMs: at.options.connectTimeoutMs,
    probe: () => probeSession(url, at, id),
    kill: () => killSession(url, at, id, "CONNECTION"),
    destroy,
    ping: () => callQuery(original, ["SELECT 1"]),
  });
  routeQueries(conn, original, watch, "running a knex query");
  boundEnd(conn, MYSQL_CLOSE_TIMEOUT_MS, destroy, watch);
  await watch.run("setting up the session", () => callQuery(original, [sessionSettingsSql(at.options.stallTimeoutMs)])).catch(() => undefined);
  const results = await watch.run("setting up the session", () => callQuery(original, ["SELECT CONNECTION_ID() AS id"])).catch(() => undefined);
  const row = (results?.[0] as { id?: number | string }[] | undefined)?.[0];
  if (row?.id !== undefined) id = Number(row.id);
}
