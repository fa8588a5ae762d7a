import type { ZodType } from "zod";

/** One migration as an engine knows it, in apply order. */
export interface Migration {
  /** Stable identity: the file or folder name the engine records. */
  id: string;
  description: string;
  applied: boolean;
  /** Content hash as the engine computes it, when it has one. */
  checksum?: string;
  /** When it was applied, as recorded in the bookkeeping table (ISO 8601). */
  appliedAt?: string;
}

/** Progress an engine reports while it runs; the runner forwards these as events. */
export type MigrationProgress =
  | { type: "migration:start"; migration: string }
  | { type: "migration:applied"; migration: string; durationMs: number }
  /**
   * A step that runs user code outside a migration (loading a migration module, say), reported
   * just before it: if the step ends the thread, the error names the step and the file.
   */
  | { type: "engine:step"; step: string; migration?: string; file?: string };

export interface PlanOptions {
  /** The engine's own keys of `databases.<name>.migrations`, validated by its schema. */
  config: Record<string, unknown>;
  /** Absolute path of the migrations folder. */
  migrationPath: string;
  /** Name of the env var that holds the connection URL (for messages). */
  connectionEnv: string;
  /** The connection URL. Never put it in a message: use `redactUrl`. */
  url: string;
  /** Folder of the config file; relative `sqlite:` paths resolve against it. */
  workDir: string;
  /** Name of the database in the config, for messages. */
  database: string;
  /** Longest wait for the migration lock. */
  lockTimeoutMs: number;
  signal: AbortSignal;
}

export interface RunOptions extends PlanOptions {
  direction: "up" | "down";
  /** How many migrations at most; 0 = every pending one (up only; down needs ≥ 1). */
  steps: number;
  /** Called as each migration starts and finishes. */
  onProgress?: (event: MigrationProgress) => void;
}

export interface RunResult {
  /** IDs applied (or reverted, for down) in order. */
  applied: string[];
  /** The run stopped early because `signal` was aborted (after finishing the current migration). */
  cancelled?: boolean;
  /** The plan after the run, when the engine has it at hand (saves the runner a second `plan`). */
  migrations?: Migration[];
}

/** Marks a migration as applied without running it, or forgets a failed attempt. */
export interface ResolveOptions extends PlanOptions {
  migration: string;
  action: "applied" | "rolled-back";
}

export interface Engine {
  readonly id: string;
  /**
   * The engine runs code from the user's project (migration modules, a plugin's own code), which
   * may end its thread: `process.exit`, an uncaught error, exhausting memory. Its databases then
   * run alone in their worker thread, never beside another database's migration.
   * @default true (an engine that does not say is assumed to)
   */
  readonly runsUserCode?: boolean;
  /**
   * Absolute URL of a module that registers this engine when imported. A worker imports only
   * this module for the engine's databases, instead of every built-in engine and plugin.
   */
  readonly workerModule?: string;
  /** zod schema of the engine's own config keys (everything but engine/path/strategy/…). */
  readonly configSchema?: ZodType;
  plan(opts: PlanOptions): Promise<Migration[]>;
  run(opts: RunOptions): Promise<RunResult>;
  /** Recovery after a failed non-transactional migration (`stagecraft migrate resolve`). */
  resolve?(opts: ResolveOptions): Promise<void>;
}
