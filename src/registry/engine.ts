import type { ZodType } from "zod";
import type { ConnectionOptions } from "../drivers/connection-options.js";
import type { Dialect } from "../drivers/driver.js";
import type { StagecraftError } from "../errors.js";
import type { CheckIssue, CheckOptions, NewMigrationOptions, NewMigrationResult } from "./engine-offline.js";
import type { SourceOptions, SqlSources } from "./sql-sources.js";

/**
 * Where a migration stands in the database: recorded as applied, not recorded, or started and
 * not finished (a failed or interrupted non-transactional attempt that blocks later runs).
 */
export type MigrationState = "applied" | "pending" | "failed";

/** One migration as an engine knows it, in apply order. */
export interface Migration {
  /** Stable identity: the file or folder name the engine records. */
  id: string;
  description: string;
  applied: boolean;
  /** @default `applied` ? "applied" : "pending" (the runner fills it in when an engine leaves it out) */
  state?: MigrationState;
  /** Content hash as the engine computes it, when it has one. */
  checksum?: string;
  /** When it was applied, as recorded in the bookkeeping table: ISO 8601 in UTC (`…Z`). */
  appliedAt?: string;
  /** State `failed`: when the attempt that did not finish started (ISO 8601 UTC). */
  startedAt?: string;
  /** State `failed`: what went wrong, as recorded; absent when the runner died mid-way. */
  error?: string;
  /**
   * Set by a plan given a `direction`: what a run with the same direction/steps/to would do to it.
   * `mark`: a baseline preview would record it as applied without running it.
   */
  action?: "apply" | "revert" | "mark";
}

/** A migration whose `state` is filled in, as run reports carry it. */
export type StatedMigration = Migration & { state: MigrationState };

/** Something about the migration source worth a look that does not stop a run. */
export interface PlanWarning {
  /** `empty_folder`, `ignored_file`, `order`, `duplicate_number`, … */
  code: string;
  message: string;
  file?: string;
}

/**
 * What `plan` may return instead of a bare list: the same list plus warnings, and the error that
 * keeps the database from migrating (a failed migration that blocks, drift) with every
 * migration still listed beside it.
 */
export interface PlanResult {
  migrations: Migration[];
  warnings?: PlanWarning[];
  /** The database cannot be migrated as it is; `run` fails with this error. */
  blocked?: StagecraftError;
}

/** Progress an engine reports while it runs; the runner forwards these as events. */
export type MigrationProgress =
  | { type: "migration:start"; migration: string }
  /** The migration lock was not free within a second: another run holds it (sent once per wait). */
  | { type: "lock:waiting"; lock: string; target: string; timeoutMs: number; holders?: string[] }
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
  /** Connect timeout, stall detection, `--wait`, `--create-database`; `openDriver` reads it from these options. */
  connection?: ConnectionOptions;
  signal: AbortSignal;
  /**
   * The same for every database of one call (`planAll`, `runAll`, a `Runner` call), different for
   * the next: an engine may keep what it read from `migrationPath` under it, so a fleet's folder
   * is read once per call in each thread instead of once per database. Every call of the runner
   * has one (a CLI command, one database or a thousand); absent when an engine is called directly.
   */
  callId?: string;
  /**
   * Preview a run: with a direction the plan marks (`action`) the migrations that run with the
   * same `direction`, `steps` and `to` would apply or revert. @default no marks
   */
  direction?: "up" | "down";
  /** With `direction`: at most this many (0 = no limit). @default 0 */
  steps?: number;
  /** With `direction`: up to and including this ID (up), or down to and excluding it (down). */
  to?: string;
}

export interface RunOptions extends PlanOptions {
  direction: "up" | "down";
  /** How many migrations at most; 0 = no limit (every pending one up; down then needs `to`). */
  steps: number;
  /**
   * Up: apply pending migrations up to and including this ID. Down: revert every applied
   * migration after it in apply order, keeping it. An unknown ID is an error before anything runs.
   */
  to?: string;
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
  warnings?: PlanWarning[];
}

/** Marks a migration as applied without running it, or forgets a failed attempt. */
export interface ResolveOptions extends PlanOptions {
  migration: string;
  action: "applied" | "rolled-back";
}

/** `stagecraft migrate baseline --to ID`: record migrations as applied without running them. */
export interface BaselineOptions extends PlanOptions {
  /** Every migration up to and including this ID ends up recorded as applied. */
  to: string;
}

export interface BaselineResult {
  /** IDs recorded as applied by this call, in apply order; empty when the database was already at `to`. */
  marked: string[];
  /** The plan afterwards, when the engine has it at hand. */
  migrations?: Migration[];
  warnings?: PlanWarning[];
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
  /**
   * Dialects on which this engine's migration lock is server-wide rather than per database
   * (Prisma's `GET_LOCK('prisma_migrate')` on MySQL). The runner migrates such databases of one
   * server one at a time, so they queue in the runner instead of timing out on each other's lock.
   */
  readonly serverWideLock?: readonly Dialect[];
  /**
   * Whether, with this config (the database's engine keys, validated), a run commits once for the
   * whole database — its pending migrations in one transaction — rather than once per migration.
   * A SQLite run that commits once waits on the disk once and is CPU-bound: when every SQLite
   * database of a call commits once, a one-shot `runAll` without `maxThreads` starts at most one
   * thread per core for them instead of two, as each thread costs its start-up and warm-up again.
   * A hint for the thread count only; one that throws counts as false. @default false (a commit
   * per migration)
   */
  oneCommitPerRun?(config: Record<string, unknown>): boolean;
  /** Read-only: never changes the database. May return the bare list or a {@link PlanResult}. */
  plan(opts: PlanOptions): Promise<Migration[] | PlanResult>;
  run(opts: RunOptions): Promise<RunResult>;
  /** Recovery after a failed non-transactional migration (`stagecraft migrate resolve`). */
  resolve?(opts: ResolveOptions): Promise<void>;
  /**
   * Adopting databases migrated by other means (`stagecraft migrate baseline --to ID`): records
   * every migration up to and including `to` as applied, in the engine's own bookkeeping, without
   * running any. Under the migration lock, it refuses (throws) where the history disagrees: `to`
   * unknown, a failed or unfinished attempt, a migration applied after `to` or out of order.
   * {@link baselineTargets} holds that rule, so engines refuse alike.
   */
  baseline?(opts: BaselineOptions): Promise<BaselineResult>;
  /**
   * Offline: every migration's SQL and the transaction it will run in, read from the folder
   * without connecting. `stagecraft lint` reads these; an engine without it (knex: its
   * migrations are JavaScript) is not linted.
   */
  sources?(opts: SourceOptions): Promise<SqlSources>;
  /**
   * Offline checks for `stagecraft validate`: the folder is readable, files parse and follow
   * the naming rule, the engine's own bookkeeping files (a journal, a provider lock) agree
   * with the folder and the URL. Never connects; problems are returned, not thrown.
   */
  check?(opts: CheckOptions): Promise<CheckIssue[]>;
  /**
   * `stagecraft new`: creates the next migration file(s) in the folder in the engine's format.
   * An engine whose folders another tool writes (Prisma, drizzle-kit) throws an `invalid_config`
   * error naming that tool's command.
   */
  newMigration?(opts: NewMigrationOptions): Promise<NewMigrationResult>;
}
