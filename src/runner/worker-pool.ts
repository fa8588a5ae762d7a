import type { Piscina } from "piscina";
import { WORKER_FILE } from "../runtime-files.js";
import { once } from "../util/once.js";
import { handleTask } from "./handle-task.js";
import { PlanBatches } from "./plan-batches.js";
import { WORKER_YOUNG_GENERATION_MB, type ThreadDemand } from "./placement.js";
import { isProgressMessage, type ProgressMessage, type Task, type TaskResult, type WorkerEvent } from "./protocol.js";
import { TaskWatch, type TaskWhereabouts } from "./task-watch.js";

/** Imported when the first thread starts: a plan that runs in this thread never pays for it. */
const loadPiscina = once(() => import("piscina"));
/** SQLite databases one more thread must have ahead of it to pay for its start-up (see `fit`). */
const SQLITE_DATABASES_PER_THREAD = 8;

export interface WorkerPoolOptions {
  /** Threads for databases that run alone (SQLite, engines that run user code, migration timeouts). */
  aloneThreads: number;
  /** Threads that carry several server databases of engines that run no user code. */
  sharedThreads: number;
  /** Databases in flight in one shared thread at most. */
  tasksPerSharedThread: number;
  /** Heap limit of each worker thread; a task past it fails alone instead of taking the process down. */
  workerMemoryMb: number;
  /** Threads beyond the first idle this long before they exit. */
  idleTimeoutMs: number;
}

/**
 * Where a database runs. `alone`: one task per thread, so nothing it does can touch another
 * database. `shared`: several I/O-bound tasks per thread. `in-process`: the calling thread.
 */
export type Placement = "alone" | "shared" | "in-process";

export interface DispatchOptions {
  placement: Placement;
  onEvent?: (event: WorkerEvent) => void;
  /** Stop the task's thread when one migration runs longer than this (placement `alone` only). */
  migrationTimeoutMs?: number;
  /**
   * The task changes nothing (a plan): placed `alone` with no timeout and no events, it may travel
   * to its thread with others (plan-batches.ts). If that thread dies, it runs again on its own, so
   * only the database that caused it fails. @default false
   */
  batch?: boolean;
}

export type DispatchOutcome =
  | { kind: "result"; result: TaskResult }
  | { kind: "timeout"; where: TaskWhereabouts }
  | { kind: "crash"; message: string; where: TaskWhereabouts };

/**
 * Two Piscina pools behind one small API, started on first use and kept until `close()`: a
 * pool of threads that each run one task, and a pool of threads shared by I/O-bound tasks. A
 * shared thread runs only engines that run no user code; if it dies anyway (out of memory),
 * each of its tasks is retried alone, so only the database that caused it fails.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #watches = new Map<number, TaskWatch>();
  // Two batches per thread: a thread finds its next batch queued instead of idling through a round trip.
  readonly #batches = new PlanBatches(() => 2 * this.#options.aloneThreads, async (batch) => (await (await this.#pool("alone")).run(batch)) as TaskResult[]);
  #alone: Promise<Piscina> | undefined;
  #shared: Promise<Piscina> | undefined;
  /** The pools once started, so a dispatch need not wait a turn for a promise long settled. */
  readonly #started: { alone?: Piscina; shared?: Piscina } = {};
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = { ...options };
  }

  /** Starts the first thread now, so it boots while the caller still loads the config. */
  warm(): void {
    this.#pool("alone").catch(() => undefined);
  }

  /** Loads the pool library now (no thread yet), while the caller still loads the config. */
  preload(): void {
    loadPiscina().catch(() => undefined);
  }

  /**
   * Lowers the thread counts to what a known set of databases can use (and alone threads to
   * `maxAlone`), if no thread has started.
   * A thread costs tens of milliseconds to start and warm up, about what ten SQLite databases take:
   * a handful of SQLite databases runs faster on one warm thread than on four cold ones.
   */
  fit(tasks: ThreadDemand): number {
    if (this.#alone === undefined) {
      const most = Math.min(this.#options.aloneThreads, tasks.maxAlone ?? Number.POSITIVE_INFINITY);
      this.#options.aloneThreads = Math.max(1, Math.min(most, Math.ceil(tasks.sqlite / SQLITE_DATABASES_PER_THREAD) + tasks.otherAlone));
    }
    if (this.#shared === undefined) this.#options.sharedThreads = Math.max(1, Math.min(this.#options.sharedThreads, tasks.shared));
    return this.#options.aloneThreads;
  }

  dispatch(task: Task, options: DispatchOptions): Promise<DispatchOutcome> {
    // Not async: wrapping the attempt's promise in another costs every database a few more turns.
    if (options.batch === true && options.placement === "alone" && options.migrationTimeoutMs === undefined && task.progress === "none" && !task.announce) return this.#dispatchBatched(task, options);
    return options.placement === "shared" ? this.#dispatchShared(task, options) : this.#attempt(task, options);
  }

  /** A plan that travels in a batch; if its batch's thread died, it is planned again on its own. */
  async #dispatchBatched(task: Task, options: DispatchOptions): Promise<DispatchOutcome> {
    const result = await this.#batches.add(task);
    if (result !== undefined) return { kind: "result", result };
    return this.#attempt({ ...task, id: nextTaskId() }, options);
  }

  async #dispatchShared(task: Task, options: DispatchOptions): Promise<DispatchOutcome> {
    // A shared thread can die of another task's crash after this task committed migrations:
    // remember what it applied, so the retry's report still says this run applied them.
    const appliedBefore: string[] = [];
    const first = await this.#attempt(task, {
      ...options,
      onEvent: (event) => {
        if (event.type === "migration:applied") appliedBefore.push(event.migration);
        options.onEvent?.(event);
      },
    });
    if (first.kind !== "crash") return first;
    const retry = await this.#attempt({ ...task, id: nextTaskId() }, { ...options, placement: "alone" });
    if (retry.kind !== "result" || appliedBefore.length === 0) return retry;
    const applied = [...appliedBefore, ...retry.result.applied.filter((id) => !appliedBefore.includes(id))];
    return { kind: "result", result: { ...retry.result, applied } };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pools = [this.#alone, this.#shared];
    this.#alone = this.#shared = undefined;
    delete this.#started.alone;
    delete this.#started.shared;
    await Promise.all(pools.map(async (pool) => (await pool?.catch(() => undefined))?.destroy()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #attempt(task: Task, options: DispatchOptions): Promise<DispatchOutcome> {
    const watch = new TaskWatch(options.onEvent, options.migrationTimeoutMs);
    this.#watches.set(task.id, watch);
    try {
      const result = options.placement === "in-process"
        ? await handleTask(task, (message) => this.#route(message))
        : ((await (this.#ready(options.placement) ?? (await this.#pool(options.placement))).run(task, watch.timedOut === undefined ? {} : { signal: watch.timedOut.signal })) as TaskResult);
      const drained = watch.drained(result.events);
      if (drained !== undefined) await drained;
      return { kind: "result", result };
    } catch (error) {
      if (watch.timedOut?.signal.aborted) return { kind: "timeout", where: watch.where };
      // A thread that dies of an uncaught error reports it on Node's internal port, which can
      // overtake the events it posted on its public port just before (seen on a loaded machine:
      // the crash report lost "during migration X"). Two turns of the event loop leave one poll
      // in between, which delivers them before `where` is read.
      await new Promise(setImmediate);
      await new Promise(setImmediate);
      return { kind: "crash", message: (error as Error)?.message ?? String(error), where: watch.where };
    } finally {
      watch.stop();
      this.#watches.delete(task.id);
    }
  }

  #route(message: ProgressMessage): void {
    const batch = message.stagecraftProgress;
    for (let i = 0; i + 1 < batch.length; i += 2) this.#watches.get(batch[i] as number)?.deliver(batch[i + 1] as WorkerEvent);
  }

  #pool(kind: "alone" | "shared"): Promise<Piscina> {
    if (this.#closed) return Promise.reject(new Error("this runner is closed"));
    const existing = kind === "alone" ? this.#alone : this.#shared;
    if (existing) return existing;
    const pool = this.#start(kind);
    if (kind === "alone") this.#alone = pool;
    else this.#shared = pool;
    pool.then((started) => void (!this.#closed && (this.#started[kind] = started)), () => undefined);
    return pool;
  }

  #ready(kind: Placement): Piscina | undefined {
    return kind === "in-process" || this.#closed ? undefined : this.#started[kind];
  }

  async #start(kind: "alone" | "shared"): Promise<Piscina> {
    const { Piscina } = await loadPiscina();
    const pool = new Piscina({
      filename: WORKER_FILE,
      // Piscina replaces a dead thread only up to minThreads; with 0, a task queued behind the
      // last thread, dead of out-of-memory say, would wait forever.
      minThreads: 1,
      maxThreads: kind === "alone" ? this.#options.aloneThreads : this.#options.sharedThreads,
      concurrentTasksPerWorker: kind === "alone" ? 1 : this.#options.tasksPerSharedThread,
      idleTimeout: this.#options.idleTimeoutMs,
      resourceLimits: { maxOldGenerationSizeMb: this.#options.workerMemoryMb, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      // Shared tasks await network I/O; a thread blocked in Atomics.wait between tasks would stall them.
      ...(kind === "shared" ? { atomics: "disabled" as const } : {}),
    });
    pool.on("message", (message: unknown) => {
      if (isProgressMessage(message)) this.#route(message);
    });
    // A thread that dies between tasks (a plugin's stray timer) has no task left to fail: its
    // databases are already reported, and Piscina starts another thread.
    pool.on("error", () => undefined);
    return pool;
  }
}

let lastTaskId = 0;

/** Names one dispatch in progress messages, unique in this process. */
export function nextTaskId(): number {
  return ++lastTaskId;
}
