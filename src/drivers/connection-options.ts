/** Longest time to open one connection: TCP, TLS and authentication together. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long a request may stay unanswered before stagecraft asks the server, over a second
 * connection, whether it is still working on it; also the server-side lease of an idle session.
 */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/** How a driver connects and how it tells a dead connection from a slow statement. */
export interface ConnectionOptions {
  /** Longest time to open one connection. @default 10000 */
  connectTimeoutMs?: number | undefined;
  /**
   * A request unanswered this long makes stagecraft ask the server whether the session is still
   * running it; an idle session is given up and killed. The server ends a session of ours that
   * stays idle this long (PostgreSQL `idle_session_timeout`, MySQL `wait_timeout`), so a runner
   * cut off from its server cannot hold the migration lock longer. @default 30000
   */
  stallTimeoutMs?: number | undefined;
  /** Keep retrying a server that refuses, does not resolve or is starting, this long (dbmate's `--wait`). @default 0 */
  waitMs?: number | undefined;
  /** Create the database (PostgreSQL, MySQL) when the server says it does not exist. @default false */
  createDatabase?: boolean | undefined;
}

export type ResolvedConnectionOptions = { [K in keyof ConnectionOptions]-?: Exclude<ConnectionOptions[K], undefined> };

export function resolveConnectionOptions(input: ConnectionOptions | undefined): ResolvedConnectionOptions {
  return {
    connectTimeoutMs: input?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    stallTimeoutMs: input?.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
    waitMs: input?.waitMs ?? 0,
    createDatabase: input?.createDatabase ?? false,
  };
}

/** What a driver knows about the server it talks to, for messages and for side connections. */
export interface ConnectTarget {
  /** The URL to hand the client library. Never put it in a message. */
  url: string;
  /** The redacted URL, for messages. */
  target: string;
  /** Env var the URL came from. */
  envName: string;
  secrets: string[];
  options: ResolvedConnectionOptions;
}

/** Host, port, user and database of a server URL, decoded, for messages and hints. */
export function describeServer(url: string): { host: string; port: string; user: string; database: string } {
  const parsed = new URL(url);
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return { host: parsed.hostname, port: parsed.port, user: decode(parsed.username), database: decode(parsed.pathname.replace(/^\//, "")) };
}

/** Resolves after `ms`, or rejects with `signal`'s reason-less abort as soon as it fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("aborted"));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `work`, or a rejection with `onTimeout()` after `ms`. */
export async function withinMs<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
