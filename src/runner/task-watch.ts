import type { WorkerEvent } from "./protocol.js";

/** Period of the timer that keeps the process alive while a task's last events are in flight. */
const KEEP_ALIVE_MS = 60_000;

/** Where a task was when its thread died or was stopped, for the error message. */
export interface TaskWhereabouts {
  /** The migration running (started, not yet applied). */
  migration?: string;
  /** The last step that runs user code outside a migration (loading a module, say). */
  step?: { step: string; migration?: string; file?: string };
}

/**
 * Follows one dispatched task: forwards its events, keeps the migration timeout, remembers where
 * it is, and tells when every event the task sent has arrived. A task's events travel on its
 * thread's port and its result on Piscina's: the two do not keep order between them, so the
 * result waits for the events it counts.
 */
export class TaskWatch {
  readonly where: TaskWhereabouts = {};
  /** Aborted when a migration outlives the timeout; only a task with a migration timeout has one (an AbortController per task is measurable in bench/dispatch-overhead). */
  readonly timedOut: AbortController | undefined;
  #received = 0;
  #expected = Number.POSITIVE_INFINITY;
  #drained: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onEvent: ((event: WorkerEvent) => void) | undefined,
    private readonly migrationTimeoutMs: number | undefined,
  ) {
    this.timedOut = migrationTimeoutMs === undefined ? undefined : new AbortController();
  }

  deliver(event: WorkerEvent): void {
    this.#received++;
    if (event.type === "migration:start") {
      this.where.migration = event.migration;
      delete this.where.step;
      this.#arm();
    } else if (event.type === "migration:applied") {
      delete this.where.migration;
      clearTimeout(this.#timer);
    } else if (event.type === "engine:step") {
      const { type: _type, ...step } = event;
      this.where.step = step;
    }
    this.onEvent?.(event);
    if (this.#received >= this.#expected) this.#drained?.();
  }

  /** Resolves once `count` events have been delivered; undefined when they all have been already (nothing to wait for). */
  drained(count: number): Promise<void> | undefined {
    this.#expected = count;
    if (this.#received >= count) return undefined;
    // Piscina unrefs a thread once it has no task, and with it the port the events are still on
    // their way through: with nothing else pending, the process would exit before they arrive.
    const keepAlive = setInterval(() => undefined, KEEP_ALIVE_MS);
    return new Promise<void>((resolve) => (this.#drained = resolve)).finally(() => clearInterval(keepAlive));
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.migrationTimeoutMs !== undefined) this.#timer = setTimeout(() => this.timedOut?.abort(), this.migrationTimeoutMs);
  }
}
