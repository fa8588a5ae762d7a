import pg from "pg";
import { withinMs, type ConnectTarget } from "../connection-options.js";
import { connectionFailed } from "../connection-errors.js";
import { StallWatch, boundEnd, callQuery, routeQueries, type SessionState } from "../stall-watch.js";

/** How often the server checks, during a long statement, that our connection is still there. */
const CLIENT_CHECK_INTERVAL_MS = 1_000;
/** A goodbye that takes longer than this is cut: the socket is destroyed instead. */
export const PG_CLOSE_TIMEOUT_MS = 1_000;

/**
 * A `pg.Client` for `url` whose connect (TCP, TLS, authentication) is bounded by the connect
 * timeout. `startup`: server settings (`-c name=value …`) for the startup packet, after the
 * URL's own `options` parameter or `PGOPTIONS`, which they would otherwise replace.
 */
export function newClient(url: string, at: ConnectTarget, startup?: string): pg.Client {
  let connectionString = url;
  let options: string | undefined;
  if (startup !== undefined) {
    // The URL is rewritten only when it has its own `options`, which pg would let win over ours.
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    const inUrl = parsed?.searchParams.get("options") ?? undefined;
    if (parsed !== undefined && inUrl !== undefined) {
      parsed.searchParams.delete("options");
      connectionString = parsed.toString();
    }
    const own = inUrl ?? process.env.PGOPTIONS;
    options = own ? `${own} ${startup}` : startup;
  }
  const client = new pg.Client({
    connectionString,
    ...(options === undefined ? {} : { options }),
    application_name: "stagecraft",
    connectionTimeoutMillis: at.options.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: Math.max(1_000, Math.floor(at.options.stallTimeoutMs / 3)),
  });
  // A dropped connection must not crash the thread; the next query reports it.
  client.on("error", () => undefined);
  return client;
}

export async function connectClient(url: string, at: ConnectTarget, startup?: string): Promise<pg.Client> {
  const client = newClient(url, at, startup);
  try {
    await client.connect();
  } catch (error) {
    destroyClient(client);
    throw connectionFailed(at, error);
  }
  return client;
}

/**
 * Settings that let the server clean up after a runner that vanished: notice a closed socket
 * during a long statement (`client_connection_check_interval`), end a session of ours that
 * sits idle for the stall timeout in or out of a transaction (the lease our pings renew), and
 * probe a silent peer with keepalives. Settings the server does not know (before PostgreSQL 14)
 * are skipped.
 */
export function sessionSettings(stallTimeoutMs: number): { startup: string; sql: string; fallback: string } {
  const lease = String(stallTimeoutMs);
  const idleS = String(Math.max(1, Math.round(stallTimeoutMs / 3_000)));
  const intervalS = String(Math.max(1, Math.round(stallTimeoutMs / 9_000)));
  // Also reads the backend pid: behind a pooler the pid of the startup message is not the server's.
  const pairs = (list: [string, string][]): string =>
    `SELECT pg_backend_pid() AS pid, (SELECT count(set_config(s.name, s.setting, false)) FROM (VALUES ${list.map(([n, v]) => `('${n}', '${v}')`).join(", ")}) AS s(name, setting) WHERE s.name IN (SELECT name FROM pg_settings)) AS applied`;
  const timeouts: [string, string][] = [["client_connection_check_interval", String(CLIENT_CHECK_INTERVAL_MS)], ["idle_session_timeout", lease], ["idle_in_transaction_session_timeout", lease]];
  // Keepalive settings fail where the platform lacks them: the fallback leaves them out.
  const all: [string, string][] = [...timeouts, ["tcp_keepalives_idle", idleS], ["tcp_keepalives_interval", intervalS], ["tcp_keepalives_count", "3"]];
  return { startup: all.map(([n, v]) => `-c ${n}=${v}`).join(" "), sql: pairs(all), fallback: pairs(timeouts) };
}

/** Runs `fn` on a fresh connection, all of it (connect included) within the connect timeout. */
export async function onSideConnection<T>(url: string, at: ConnectTarget, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = newClient(url, at);
  let ok = false;
  try {
    const result = await withinMs((async () => {
      await client.connect();
      return fn(client);
    })(), at.options.connectTimeoutMs, () => new Error(`no answer within ${at.options.connectTimeoutMs} ms`));
    ok = true;
    return result;
  } finally {
    if (ok) await closeClient(client);
    else destroyClient(client);
  }
}

/** What the server says session `pid` is doing. */
export async function probeSession(url: string, at: ConnectTarget, pid: number): Promise<SessionState> {
  return onSideConnection(url, at, async (client) => {
    const { rows } = await client.query<{ state: string | null; idle_ms: string | null }>(
      "SELECT state, (EXTRACT(EPOCH FROM clock_timestamp() - state_change) * 1000)::bigint AS idle_ms FROM pg_stat_activity WHERE pid = $1",
      [pid],
    );
    const row = rows[0];
    if (row === undefined) return { state: "gone" };
    if (row.state === null) return { state: "unknown" };
    if (row.state.startsWith("idle")) return { state: "idle", idleMs: Number(row.idle_ms ?? 0) };
    return { state: "running" };
  });
}

export async function terminateSession(url: string, at: ConnectTarget, pid: number): Promise<void> {
  await onSideConnection(url, at, (client) => client.query("SELECT pg_terminate_backend($1)", [pid]));
}

/** Ends the connection politely, and cuts it if the goodbye goes unanswered. */
export async function closeClient(client: pg.Client): Promise<void> {
  await withinMs(client.end(), PG_CLOSE_TIMEOUT_MS, () => new Error("close timed out")).catch(() => destroyClient(client));
}

export function destroyClient(client: pg.Client): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** `CREATE DATABASE` for `url`'s database, over the maintenance database; a concurrent creator's win is fine. */
export async function createDatabase(url: string, at: ConnectTarget, name: string): Promise<void> {
  let lastError: unknown;
  for (const maintenance of ["postgres", "template1"]) {
    const admin = new URL(url);
    admin.pathname = `/${maintenance}`;
    try {
      await onSideConnection(admin.toString(), at, (client) => client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`));
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code === "42P04") return;
      lastError = error;
      if ((error as { code?: unknown }).code !== "3D000") break;
    }
  }
  throw lastError;
}

/**
 * Puts a `pg.Client` that a library drives (knex's) under the same rules as our own driver:
 * session settings, a stall watch on every query, and a bounded `end`.
 */
export async function superviseClient(client: pg.Client, url: string, at: ConnectTarget): Promise<void> {
  const raw = client as unknown as { query: (...args: unknown[]) => unknown; end: (...args: unknown[]) => unknown; processID: number };
  const original = raw.query.bind(client);
  let pid = raw.processID;
  const watch = new StallWatch({
    target: at.target,
    stallTimeoutMs: at.options.stallTimeoutMs,
    connectTimeoutMs: at.options.connectTimeoutMs,
    probe: () => probeSession(url, at, pid),
    kill: () => terminateSession(url, at, pid),
    destroy: () => destroyClient(client),
    ping: () => callQuery(original, ["SELECT 1"]),
  });
  routeQueries(raw, original, watch, "running a knex query");
  boundEnd(raw, PG_CLOSE_TIMEOUT_MS, () => destroyClient(client), watch);
  const settings = sessionSettings(at.options.stallTimeoutMs);
  const set = (sql: string) => watch.run("setting up the session", () => callQuery(original, [sql]));
  const results = await set(settings.sql).catch(() => set(settings.fallback)).catch(() => undefined);
  const row = (results?.[0] as { rows?: { pid?: number }[] } | undefined)?.rows?.[0];
  if (typeof row?.pid === "number") pid = row.pid;
}
