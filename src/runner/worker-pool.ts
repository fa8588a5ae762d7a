import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import type { MigrationProgress } from "../registry/engine.js";
import { handleTask } from "./handle-task.js";
import type { Task, TaskResult } from "./protocol.js";

const WORKER_FILE = new URL("../../workers/worker.js", import.meta.url).href;
/** Idle threads linger this long, so a burst of small tasks reuses them. */
const IDLE_TIMEOUT_MS = 5_000;

export interface WorkerPoolOptions {
  maxThreads: number;
  /** Tasks in flight per thread for I/O-bound (server) databases. */
  tasksPerThread: number;
  /** Run tasks in the calling thread instead of worker threads. */
  inProcess: boolean;
  /** Heap limit of each worker thread; a task past it fails alone instead of taking the process down. */
  workerMemoryMb: number;
}

export interface DispatchOptions {
  /** One task alone in its thread: CPU-bound SQLite work, or a task that may be killed. */
  isolated: boolean;
  onProgress?: (event: MigrationProgress) => void;
  /** Kill the task's thread when one migration runs longer than this. */
  migrationTimeoutMs?: number;
}

export type DispatchOutcome =
  | { kind: "result"; result: TaskResult }
  | { kind: "timeout"; migration: string | undefined }
  | { kind: "crash"; message: string };

/**
 * Two Piscina pools behind one small API: an isolated pool (one task per thread) and a shared
 * pool (several I/O-bound tasks per thread). A task that takes its thread down is retried once
 * alone in the isolated pool, so a crash fails only the database that caused it.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  #isolated: Piscina | undefined;
  #shared: Piscina | undefined;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  async dispatch(task: Task, options: DispatchOptions): Promise<DispatchOutcome> {
    if (this.#options.inProcess) return { kind: "result", result: await handleTask(task) };
    if (options.isolated) return this.#attempt(task, options, this.#isolatedPool());
    // A shared thread can die of another task's crash after this task committed migrations:
    // remember what it applied, so the retry's report still says this run applied them.
    const appliedBefore: string[] = [];
    const tracking: DispatchOptions = {
      ...options,
      onProgress: (event) => {
        if (event.type === "migration:applied") appliedBefore.push(event.migration);
        options.onProgress?.(event);
      },
    };
    const first = await this.#attempt(task, tracking, this.#sharedPool());
    if (first.kind !== "crash") return first;
    const retry = await this.#attempt(task, options, this.#isolatedPool());
    if (retry.kind !== "result" || appliedBefore.length === 0) return retry;
    const applied = [...appliedBefore, ...retry.result.applied.filter((id) => !appliedBefore.includes(id))];
    return { kind: "result", result: { ...retry.result, applied } };
  }

  async close(): Promise<void> {
    await Promise.all([this.#isolated?.destroy(), this.#shared?.destroy()]);
    this.#isolated = this.#shared = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #attempt(task: Task, options: DispatchOptions, pool: Piscina): Promise<DispatchOutcome> {
    const wantsPort = options.onProgress !== undefined || options.migrationTimeoutMs !== undefined;
    const channel = wantsPort ? new MessageChannel() : undefined;
    const abort = options.migrationTimeoutMs === undefined ? undefined : new AbortController();
    let current: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    channel?.port1.on("message", (event: MigrationProgress) => {
      clearTimeout(timer);
      current = event.type === "migration:start" ? event.migration : undefined;
      if (abort && current !== undefined) timer = setTimeout(() => abort.abort(), options.migrationTimeoutMs);
      options.onProgress?.(event);
    });
    try {
      const payload = channel ? { ...task, port: channel.port2 } : task;
      const result = (await pool.run(payload, {
        ...(channel ? { transferList: [channel.port2] } : {}),
        ...(abort ? { signal: abort.signal } : {}),
      })) as TaskResult;
      return { kind: "result", result };
    } catch (error) {
      if (abort?.signal.aborted) return { kind: "timeout", migration: current };
      return { kind: "crash", message: (error as Error)?.message ?? String(error) };
    } finally {
      clearTimeout(timer);
      channel?.port1.close();
    }
  }

  #isolatedPool(): Piscina {
    this.#isolated ??= new Piscina({
      filename: WORKER_FILE,
      // Piscina replaces a dead thread only up to minThreads; with 0, a task queued behind a
      // thread that died (out of memory, say) would wait forever.
      minThreads: this.#options.maxThreads,
      maxThreads: this.#options.maxThreads,
      concurrentTasksPerWorker: 1,
      idleTimeout: IDLE_TIMEOUT_MS,
      resourceLimits: { maxOldGenerationSizeMb: this.#options.workerMemoryMb },
    });
    return this.#isolated;
  }

  #sharedPool(): Piscina {
    this.#shared ??= new Piscina({
      filename: WORKER_FILE,
      minThreads: this.#options.maxThreads,
      maxThreads: this.#options.maxThreads,
      concurrentTasksPerWorker: this.#options.tasksPerThread,
      idleTimeout: IDLE_TIMEOUT_MS,
      resourceLimits: { maxOldGenerationSizeMb: this.#options.workerMemoryMb },
      // Tasks await network I/O; a thread blocked in Atomics.wait between tasks would stall them.
      atomics: "disabled",
    });
    return this.#shared;
  }
}
