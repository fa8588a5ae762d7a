import type { Task, TaskBatch, TaskResult } from "./protocol.js";

/** Databases one thread task of a plan carries at most. */
export const PLAN_BATCH_MAX = 8;

interface Queued {
  task: Task;
  done: (result: TaskResult | undefined) => void;
}

/**
 * Sends plan tasks to the threads several to one pool task. A task of its own costs the main
 * thread a message each way and the pool's scheduling, short-lived objects that a fleet of
 * 20,000 databases turned into tens of MiB of peak heap (bench/fleet-memory); a batch of eight
 * pays that once. The databases of a batch run one after another in their thread, as separate
 * tasks would. Tasks that arrive while every lane is busy wait here and leave together.
 */
export class PlanBatches {
  readonly #queued: Queued[] = [];
  readonly #lanes: () => number;
  readonly #run: (batch: TaskBatch) => Promise<TaskResult[]>;
  #inFlight = 0;
  #scheduled = false;

  /** `lanes`: batches in the pool at once; `run` sends one batch to a thread. */
  constructor(lanes: () => number, run: (batch: TaskBatch) => Promise<TaskResult[]>) {
    this.#lanes = lanes;
    this.#run = run;
  }

  /** The task's result; undefined when the thread running its batch died (the caller decides what then). */
  add(task: Task): Promise<TaskResult | undefined> {
    return new Promise((done) => {
      this.#queued.push({ task, done });
      // Wait for the rest of this turn: the databases a finished batch let in arrive together.
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#drain());
      }
    });
  }

  #drain(): void {
    this.#scheduled = false;
    // Spread what waits over the free lanes, so no thread idles while another has a full batch.
    while (this.#queued.length > 0 && this.#inFlight < this.#lanes()) {
      const size = Math.min(PLAN_BATCH_MAX, Math.ceil(this.#queued.length / (this.#lanes() - this.#inFlight)));
      void this.#send(this.#queued.splice(0, size));
    }
  }

  async #send(batch: Queued[]): Promise<void> {
    this.#inFlight++;
    let results: TaskResult[] | undefined;
    try {
      results = await this.#run({ batch: batch.map((queued) => queued.task) });
    } catch {
      results = undefined;
    } finally {
      this.#inFlight--;
    }
    for (const [i, queued] of batch.entries()) queued.done(results?.[i]);
    this.#drain();
  }
}
