import { StagecraftError, scrubSecrets } from "../errors.js";
import { describeServer, type ConnectTarget } from "./connection-options.js";

/** Why a connection could not be opened; each class gets its own hint. */
export type ConnectFailure = "refused" | "dns" | "timeout" | "unreachable" | "access_denied" | "unknown_database" | "tls" | "starting" | "too_many_connections" | "other";

/** Classes worth retrying while `--wait` lasts: the server may still be coming up. */
const TRANSIENT: ReadonlySet<ConnectFailure> = new Set(["refused", "dns", "timeout", "unreachable", "starting", "too_many_connections"]);

const BY_CODE: Record<string, ConnectFailure> = {
  ECONNREFUSED: "refused",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  ETIMEDOUT: "timeout",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  ECONNRESET: "starting",
  // PostgreSQL SQLSTATEs
  "28P01": "access_denied",
  "28000": "access_denied",
  "3D000": "unknown_database",
  "57P03": "starting",
  "53300": "too_many_connections",
  // MySQL / MariaDB
  ER_ACCESS_DENIED_ERROR: "access_denied",
  ER_ACCESS_DENIED_NO_PASSWORD_ERROR: "access_denied",
  ER_DBACCESS_DENIED_ERROR: "access_denied",
  ER_NOT_SUPPORTED_AUTH_MODE: "access_denied",
  ER_BAD_DB_ERROR: "unknown_database",
  ER_CON_COUNT_ERROR: "too_many_connections",
  ER_TOO_MANY_USER_CONNECTIONS: "too_many_connections",
  ER_SERVER_SHUTDOWN: "starting",
  HANDSHAKE_NO_SSL_SUPPORT: "tls",
};

/** A failure to open a connection, with its class (only inside the worker; it serialises as `connection_failed`). */
export class ConnectError extends StagecraftError {
  constructor(readonly failure: ConnectFailure, message: string, hint: string, driverCode: string | undefined) {
    super("connection_failed", message, { hint, ...(driverCode === undefined ? {} : { driverCode }) });
  }

  get transient(): boolean {
    return TRANSIENT.has(this.failure);
  }
}

export function classifyConnectFailure(error: unknown): ConnectFailure {
  const code = (error as { code?: unknown })?.code;
  const message = String((error as Error)?.message ?? error);
  if (typeof code === "string" && BY_CODE[code] !== undefined) return BY_CODE[code];
  if (typeof code === "string" && /CERT|SSL|TLS|EPROTO/i.test(code)) return "tls";
  if (/timeout expired|timed out|connection timeout|Timeout acquiring/i.test(message)) return "timeout";
  if (/does not support SSL|SSL|TLS|certificate/i.test(message)) return "tls";
  if (/the database system is (starting up|shutting down|in recovery)/i.test(message)) return "starting";
  return "other";
}

/** The error for a server that could not be reached, with a hint for what went wrong. */
export function connectionFailed(at: ConnectTarget, error: unknown): ConnectError {
  const failure = classifyConnectFailure(error);
  const code = (error as { code?: unknown })?.code;
  const { host, port, user, database } = describeServer(at.url);
  const where = port === "" ? host : `${host}:${port}`;
  const timeoutMs = at.options.connectTimeoutMs;
  const said = failure === "timeout" ? `no answer within ${timeoutMs} ms (connect_timeout_ms)` : scrubSecrets(String((error as Error)?.message ?? error), at.secrets);
  const hints: Record<ConnectFailure, string> = {
    refused: `nothing accepts connections on ${where}: check that the server is running and listening there; pass --wait=SECONDS to wait for a server that is starting`,
    dns: `host ${host} cannot be resolved: check the host name in ${at.envName} (with Docker Compose, the service name); --wait=SECONDS waits for it to appear`,
    timeout: `${where} did not answer: check the host, port, firewall and network; raise connect_timeout_ms (--connect-timeout) for a slow network`,
    unreachable: `there is no network route to ${host}: check the host in ${at.envName} and the network`,
    access_denied: `the server refused user ${user || "(none)"}: check the user name and password in ${at.envName}, and that the user may connect to ${database || "the database"}`,
    unknown_database: `database ${database} does not exist on ${where}: create it, or pass --create-database (API: createDatabase: true)`,
    tls: `the TLS handshake failed: check the URL's sslmode / ssl parameters against the server's TLS setup (certificate, CA, host name)`,
    starting: `the server is starting up, shutting down or restarting: pass --wait=SECONDS to wait for it`,
    too_many_connections: `the server has no free connection slot: lower --concurrency (or perServerLimit), or raise the server's max_connections`,
    other: `check that the server is running and the URL in ${at.envName} is right`,
  };
  return new ConnectError(failure, `cannot connect to ${at.target}: ${said}`, hints[failure], typeof code === "string" ? code : undefined);
}

/** Error codes and messages that mean the connection is gone, not that a statement failed. */
const LOST_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "PROTOCOL_CONNECTION_LOST", "ER_CONNECTION_KILLED", "ER_SERVER_SHUTDOWN", "ER_CLIENT_INTERACTION_TIMEOUT", "57P01", "57P02", "57P05", "25P03"]);
const LOST_MESSAGE = /Connection terminated|connection is in closed state|not queryable|Connection lost|server closed the connection|socket hang up/i;

export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (typeof code === "string" && LOST_CODES.has(code)) || LOST_MESSAGE.test(String((error as Error)?.message ?? ""));
}

/** What a session that stopped answering or dropped leaves behind, for the hint. */
const AFTERMATH = "a migration in progress was rolled back where it ran in a transaction; a MySQL or no-transaction migration cut short is recorded as unfinished and blocks until `stagecraft migrate resolve`";

/** The error for a connection that dropped while `phase` was under way. */
export function connectionLost(target: string, phase: string, error: unknown, secrets: readonly string[]): StagecraftError {
  const code = (error as { code?: unknown })?.code;
  return new StagecraftError("connection_failed", `lost the connection to ${target} while ${phase}: ${scrubSecrets(String((error as Error)?.message ?? error), secrets)}`, {
    hint: `check the server and the network, then run again; ${AFTERMATH}`,
    ...(typeof code === "string" ? { driverCode: code } : {}),
  });
}

/** The error for a session that stopped answering: why stagecraft gave it up, and what it did about it. */
export function connectionStalled(target: string, phase: string, why: string): StagecraftError {
  return new StagecraftError("connection_failed", `gave up the connection to ${target} while ${phase}: ${why}`, {
    hint: `check the network between this machine and the server (a proxy, NAT or firewall that drops connections silently), then run again; ${AFTERMATH}. stall_timeout_ms sets how long an unanswered request waits before the server is asked about it`,
  });
}

/** The error for a server-side lock wait that ran out, naming the lock, the database and its holders. */
export function lockTimeout(name: string, target: string, timeoutMs: number, holders: readonly string[], serverName?: string): StagecraftError {
  const also = serverName === undefined || serverName === name ? "" : ` (server lock name "${serverName}")`;
  return new StagecraftError("lock_timeout", `timed out after ${timeoutMs} ms waiting for migration lock "${name}"${also} on ${target}; held by ${holders.join(", ") || "another session"}`, {
    hint: "wait for the other run to finish; a lock held by a dead session is released by the server when its connection closes",
  });
}

/** The error for a lock wait stopped because the run was cancelled. */
export function lockCancelled(name: string, target: string): StagecraftError {
  return new StagecraftError("cancelled", `stopped waiting for migration lock "${name}" on ${target}: the run was cancelled; nothing was applied`);
}
