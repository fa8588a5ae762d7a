import { parentPort } from "node:worker_threads";
import type { ProgressMessage, ProgressMode, WorkerEvent } from "./protocol.js";

/** Where events go: the worker's parent port, or a function when the task runs in the calling thread. */
export type EventSink = (message: ProgressMessage) => void;

const toParent: EventSink | undefined = parentPort ? (message) => parentPort!.postMessage(message) : undefined;

/**
 * Gathers the events of every task of this thread and posts them in batches on the thread's own
 * port (one channel per thread, not per task). A batch goes out on the next turn of the event
 * loop, or at once for an event that must not be lost if the thread dies right after it.
 */
class Outbox {
  #pending: (number | WorkerEvent)[] = [];
  #scheduled = false;
  #sink: EventSink | undefined;

  constructor(sink: EventSink | undefined) {
    this.#sink = sink;
  }

  push(task: number, event: WorkerEvent, urgent: boolean): void {
    this.#pending.push(task, event);
    if (urgent) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0 || this.#sink === undefined) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#sink({ stagecraftProgress: batch });
  }
}

const threadOutbox = new Outbox(toParent);

/** Counts and sends one task's events according to its progress mode. */
export class TaskEvents {
  #count = 0;
  readonly #outbox: Outbox;

  constructor(readonly id: number, readonly mode: ProgressMode, sink?: EventSink) {
    this.#outbox = sink ? new Outbox(sink) : threadOutbox;
  }

  /** Events sent so far; the result carries the final count. */
  get count(): number {
    return this.#count;
  }

  send(event: WorkerEvent): void {
    // A lock wait is reported whatever the mode: it is rare, and a run that waits must say so.
    if (this.mode === "none" && event.type !== "lock:waiting") return;
    this.#count++;
    // A start and a step precede work that may end the thread (or block it): send them now.
    const urgent = this.mode === "live" || event.type === "database:start" || event.type === "engine:step" || event.type === "lock:waiting";
    this.#outbox.push(this.id, event, urgent);
  }

  /** Sends what is still gathered; called before the result goes back. */
  end(): void {
    this.#outbox.flush();
  }
}
