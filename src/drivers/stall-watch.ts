import type { StagecraftError } from "../errors.js";
import { connectionStalled } from "./connection-errors.js";

/** What the server says our session is doing, asked over a second connection. */
export type SessionState =
  | { state: "running" }
  | { state: "idle"; idleMs: number }
  | { state: "gone" }
  /** The server answered but would not say (no privilege, a full server): assume it is running. */
  | { state: "unknown" };

/** How a driver lets the watch look at, keep alive and end its session. */
export interface WatchedSession {
  /** Redacted URL, for messages. */
  target: string;
  stallTimeoutMs: number;
  connectTimeoutMs: number;
  /** Asks the server about our session over a new connection; rejects when the server cannot be reached. */
  probe(): Promise<SessionState>;
  /** Ends our session on the server over a new connection, releasing its locks. */
  kill(): Promise<void>;
  /** Destroys our socket at once, without a goodbye the network might swallow. */
  destroy(): void;
  /** A cheap round trip (`SELECT 1`) that tells the server the session is alive. */
  ping(): Promise<unknown>;
}

/** An idle session whose last request ended this recently may be sending its answer: ask again. */
const IDLE_GRACE_MS = 2_000;

/**
 * Bounds every request on one connection without bounding a long statement. A request that
 * stays unanswered for `stallTimeoutMs` makes the watch ask the server, over a second
 * connection, what the session is doing: still running it (an index build, a lock wait) — wait
 * on; idle or gone — the request or its answer was lost, so the session is given up and
 * killed; no answer at all — the network is gone, and so is the session. TCP keepalive cannot
 * tell: a proxy or NAT that swallows bytes keeps the socket alive.
 *
 * The server ends a session of ours that stays idle for `stallTimeoutMs` (set by the driver),
 * so while the connection is idle the watch pings it every third of that: the lease holds while
 * this runner lives, and lapses when it is cut off.
 */
export class StallWatch {
  readonly #session: WatchedSession;
  #dead: StagecraftError | undefined;
  #pending = 0;
  #lastActivity = Date.now();
  /** The kill of a given-up session, which a failing request waits for: the lock is free when the run ends. */
  #killing: Promise<void> | undefined;
  readonly #keepAlive: NodeJS.Timeout;

  constructor(session: WatchedSession) {
    this.#session = session;
    const everyMs = Math.max(100, Math.floor(session.stallTimeoutMs / 3));
    this.#keepAlive = setInterval(() => {
      if (this.#pending === 0 && this.#dead === undefined && Date.now() - this.#lastActivity >= everyMs) {
        this.run("keeping the session alive", () => session.ping()).catch(() => undefined);
      }
    }, everyMs);
    this.#keepAlive.unref();
  }

  /** The error the session died of, if it did; every later request fails with it at once. */
  get dead(): StagecraftError | undefined {
    return this.#dead;
  }

  /** Runs one request under the watch. `phase` says what it is for, in messages. */
  async run<T>(phase: string, request: () => Promise<T>): Promise<T> {
    if (this.#dead) throw this.#dead;
    // A client that throws instead of rejecting (a closed connection) fails the same way.
    const work = Promise.resolve().then(request);
    this.#pending++;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<never>((_, reject) => {
      const give = async (why: string, kill: boolean): Promise<void> => {
        this.#dead ??= connectionStalled(this.#session.target, phase, why);
        if (kill) this.#killing = this.#session.kill().catch(() => undefined);
        this.#session.destroy();
        await this.#killing;
        reject(this.#dead);
      };
      const check = async (): Promise<void> => {
        let seen: SessionState;
        try {
          seen = await this.#session.probe();
        } catch {
          if (!settled) await give(`no answer for ${this.#session.stallTimeoutMs} ms, and a new connection to the server failed within ${this.#session.connectTimeoutMs} ms (the network or the server is gone)`, false);
          return;
        }
        if (settled) return;
        if (seen.state === "gone") return give(`no answer for ${this.#session.stallTimeoutMs} ms, and the server no longer has the session`, false);
        if (seen.state === "idle" && seen.idleMs >= IDLE_GRACE_MS) {
          return give(`no answer for ${this.#session.stallTimeoutMs} ms while the server shows the session idle (the request or its answer was lost); the session was ended on the server`, true);
        }
        timer = setTimeout(() => void check(), seen.state === "idle" ? IDLE_GRACE_MS : this.#session.stallTimeoutMs);
      };
      timer = setTimeout(() => void check(), this.#session.stallTimeoutMs);
    });
    try {
      return await Promise.race([work, watchdog]);
    } catch (error) {
      // Destroying the socket fails the request too, maybe before the watchdog says why.
      if (this.#dead === undefined) throw error;
      await this.#killing;
      throw this.#dead;
    } finally {
      settled = true;
      clearTimeout(timer);
      work.catch(() => undefined);
      watchdog.catch(() => undefined);
      this.#pending--;
      this.#lastActivity = Date.now();
    }
  }

  /** Marks the session dead (a dropped connection) so later requests fail at once. */
  markDead(error: StagecraftError): void {
    this.#dead ??= error;
  }

  stop(): void {
    clearInterval(this.#keepAlive);
  }
}

type Callback = (error: unknown, ...results: unknown[]) => void;
type QueryFn = (...args: unknown[]) => unknown;

/** Calls a callback-style `query` as a promise of its callback's results. */
export function callQuery(original: QueryFn, args: readonly unknown[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    original(...args, ((error, ...results) => (error ? reject(error) : resolve(results))) as Callback);
  });
}

/**
 * Routes every callback-style `query(…, callback)` of a client library's connection through
 * `watch` (knex's connections, which stagecraft does not drive itself). Calls without a callback
 * are left alone.
 */
export function routeQueries(client: { query: QueryFn }, original: QueryFn, watch: StallWatch, phase: string): void {
  client.query = (...args: unknown[]): unknown => {
    const callback = args.at(-1);
    if (typeof callback !== "function") return original(...args);
    watch.run(phase, () => callQuery(original, args.slice(0, -1))).then(
      (results) => (callback as Callback)(null, ...results),
      (error: unknown) => (callback as Callback)(error),
    );
    return undefined;
  };
}

/** Makes a connection's `end` give up after `timeoutMs`, destroying the socket (a goodbye into a black hole never returns). */
export function boundEnd(client: { end: QueryFn }, timeoutMs: number, destroy: () => void, watch: StallWatch): void {
  const original = client.end.bind(client);
  client.end = (...args: unknown[]): unknown => {
    watch.stop();
    if (watch.dead) destroy();
    const timer = setTimeout(destroy, timeoutMs);
    const callback = args.at(-1);
    if (typeof callback === "function") {
      return original(...args.slice(0, -1), (...results: unknown[]) => {
        clearTimeout(timer);
        (callback as QueryFn)(...results);
      });
    }
    const ending = original(...args);
    if (ending instanceof Promise) return ending.finally(() => clearTimeout(timer));
    return ending;
  };
}
