import type { MessagePort } from "node:worker_threads";
import type { SerializedError } from "../errors.js";
import type { ConnectionOptions } from "../drivers/connection-options.js";
import type { PlanWarning } from "../registry/engine.js";
import type { ReportedMigration } from "./report.js";

/** What the main thread sends a worker: everything resolved, nothing left to look up. */
export interface Task {
  mode: "plan" | "run" | "resolve";
  database: string;
  engine: string;
  engineConfig: Record<string, unknown>;
  migrationPath: string;
  connectionEnv: string;
  url: string;
  workDir: string;
  lockTimeoutMs: number;
  connection?: ConnectionOptions;
  direction: "up" | "down";
  steps: number;
  /** Up to (up) or down to (down) this migration ID. */
  to?: string;
  resolve?: { migration: string; action: "applied" | "rolled-back" };
  /** Plugin modules to import before looking the engine up. */
  plugins: string[];
  /** Non-zero once the caller cancelled: finish the current migration, start no other. */
  abortFlag?: Int32Array;
  /** Receives `MigrationProgress` messages. */
  port?: MessagePort;
}

export type TaskStatus = "succeeded" | "failed" | "cancelled";

/** What a worker sends back. Plain data; a task never throws. */
export interface TaskResult {
  status: TaskStatus;
  migrations: ReportedMigration[];
  applied: string[];
  warnings?: PlanWarning[];
  error?: SerializedError;
}
