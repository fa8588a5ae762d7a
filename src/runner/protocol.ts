// The task/result protocol between the main thread and a worker: plain data, typed here only.
import type { SerializedError } from "../errors.js";
import type { ConnectionOptions } from "../drivers/connection-options.js";
import type { MigrationProgress, PlanWarning } from "../registry/engine.js";
import type { ReportedMigration } from "./report.js";
import type { LintErrorSet } from "../lint/finding.js";

/**
 * Data many tasks of one call share, encoded once into shared memory: a task carries a reference,
 * not a copy, and each thread decodes it once (see shared-data.ts).
 */
export interface SharedRef<T> {
  /** Unique in this process; a worker caches the decoded value under it. */
  key: string;
  buffer: SharedArrayBuffer;
  /** Only for the type checker. */
  readonly __type?: T;
}

/** What every task of one planAll/runAll/resolve call has in common. */
export interface CallContext {
  mode: "plan" | "run" | "resolve" | "baseline";
  direction: "up" | "down";
  steps: number;
  /** Up to (up) or down to (down) this migration ID. */
  to?: string;
  resolve?: { migration: string; action: "applied" | "rolled-back" };
  /** Mode `baseline` with `to`: only preview what would be marked applied (`migrate baseline --plan`). */
  preview?: boolean;
  /** Folder of the config file; relative `sqlite:` paths resolve against it. */
  workDir: string;
}

/**
 * What the databases of one migrations folder (and engine config) have in common. Per-folder
 * data an engine reads once per run (file list, checksums, statements) belongs here too.
 */
export interface FolderContext {
  engine: string;
  engineConfig: Record<string, unknown>;
  /** Absolute path of the migrations folder. */
  migrationPath: string;
  /** Module URLs that register the engine when imported: its own module, or else the built-ins. */
  modules: string[];
  /** Plugin modules (absolute paths) to load as the config loads them, when the engine has no module of its own. */
  plugins: string[];
}

/**
 * How a task reports progress. `live`: each event is posted as it happens (a migration timeout or
 * a crash must know the current migration). `batched`: events are gathered and posted together
 * (someone listens, nothing is at stake). `none`: nobody listens; the result says what was applied.
 */
export type ProgressMode = "live" | "batched" | "none";

/** What the main thread sends a worker for one database: everything resolved, nothing left to look up. */
export interface Task {
  /** Names this dispatch in progress messages. */
  id: number;
  call: SharedRef<CallContext>;
  folder: SharedRef<FolderContext>;
  database: string;
  connectionEnv: string;
  url: string;
  lockTimeoutMs: number;
  /** Connect timeout, stall detection, `--wait`, `--create-database` for this database. */
  connection?: ConnectionOptions;
  progress: ProgressMode;
  /** Send `database:start` when the task begins (someone listens to it). */
  announce: boolean;
  /** Non-zero once the caller cancelled: start nothing, finish the current migration, start no other. */
  abortFlag?: Int32Array;
  /** Runs: migrations whose lint errors fail the run; the worker refuses to start when one set is about to run. */
  lintErrors?: LintErrorSet[];
}

/**
 * Several plan tasks for one thread, run one after another there: one message each way instead of
 * one per database. Only tasks that send no events travel this way (see plan-batches.ts).
 */
export interface TaskBatch {
  batch: Task[];
}

/** An event as a worker reports it; `database:start` says the task left the queue and began. */
export type WorkerEvent = MigrationProgress | { type: "database:start" };

/** Posted by a worker on its parent port: events of one or more tasks, `[taskId, event, taskId, event, …]`. */
export interface ProgressMessage {
  stagecraftProgress: (number | WorkerEvent)[];
}

export function isProgressMessage(value: unknown): value is ProgressMessage {
  return typeof value === "object" && value !== null && Array.isArray((value as Partial<ProgressMessage>).stagecraftProgress);
}

export type TaskStatus = "succeeded" | "failed" | "cancelled";

/** What a worker sends back. Plain data; a task never throws. */
export interface TaskResult {
  status: TaskStatus;
  migrations: ReportedMigration[];
  applied: string[];
  warnings?: PlanWarning[];
  error?: SerializedError;
  /** Events this task posted; the main thread waits for all of them before it reports the database. */
  events: number;
}
