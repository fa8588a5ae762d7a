import type { Strategy } from "../config/schema.js";
import type { Shard } from "../fleet/shard.js";
import type { RunnerListeners } from "./events.js";

/** Options of one plan/run call, on a {@link Runner} or through planAll/runAll. */
export interface PlanCallOptions {
  /**
   * Only these databases (any strategy): names, glob patterns (`tenant_0*`) or fleet entry names.
   * A pattern that matches nothing rejects the call. @default every database whose strategy is in `strategies`
   */
  databases?: string[];
  /** Only databases with these tags: every item must match; an item `eu,us` matches either. */
  tags?: string[];
  /** Leave these out: names, glob patterns or fleet entry names. */
  exclude?: string[];
  /** @default ["pre_deploy", "post_deploy"] */
  strategies?: Strategy[];
  /**
   * Only this shard of the selection: a stable hash of each name picks its shard, so shards are
   * disjoint and together cover the selection. `index` is 0-based (docs/ledger.md).
   */
  shard?: Shard;
  /** Exact database names, applied after every other narrowing (what `--only-failed` reruns). */
  only?: string[];
  /** Only databases with one of these strategies, `databases` given or not (the CLI's `--strategy`). */
  strategyFilter?: Strategy[];
  /** Environment overrides to apply when `config` is a path. */
  environment?: string;
  /** Where connection URLs and `${VAR}` values are read from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * A dotenv file (relative paths start from the current directory) whose variables fill in
   * those `env` lacks; `env` wins, and neither it nor `process.env` is changed. The CLI reads
   * `.env` beside the config by itself; the API reads no file unless named here.
   */
  envFile?: string;
  /** Longest time to open one connection, for every database (overrides `connect_timeout_ms`). */
  connectTimeoutMs?: number;
  /** Keep retrying a server that is not up yet (refused, unknown host, starting) this long. @default 0 */
  waitMs?: number;
  /** Databases at once. @default 2 × maxThreads for SQLite only; max(8, 4 × cores) when servers are involved */
  concurrency?: number;
  /** Databases at once on one host:port. @default 8 */
  perServerLimit?: number;
  /** Stop starting databases after the first failure; the rest are `skipped`. @default false */
  failFast?: boolean;
  /**
   * Cancels the call: no database starts after it, a running database finishes its current
   * migration and starts no other; those are `cancelled`.
   */
  signal?: AbortSignal;
  /** Extra plugin modules (absolute paths) for the workers to import, beside the config's `plugins:`. */
  plugins?: string[];
  /**
   * Run engines in this thread, e.g. for an engine registered only as an object. A crash or an
   * out-of-memory migration then takes this process down.
   * @default false (but plans of up to 4 databases of engines that run no user code run here when no runner is kept)
   */
  inProcess?: boolean;
  on?: RunnerListeners;
  /**
   * Lint the pending migrations (docs/lint.md): a plan lists the findings per database, and a
   * run refuses to start a database whose pending migrations have lint errors. @default true
   */
  lint?: boolean;
}

export interface RunCallOptions extends PlanCallOptions {
  /** @default "up" */
  direction?: "up" | "down";
  /** Migrations per database at most; 0 = all pending (up). Down needs ≥ 1 or `to`. @default 0 */
  steps?: number;
  /** Apply up to and including this migration ID (up), or revert down to it, keeping it (down). */
  to?: string;
  /** Create a PostgreSQL/MySQL database the server says does not exist. @default false */
  createDatabase?: boolean;
}

/** Marks a failed or pending migration as applied, or forgets a failed attempt (one database). */
export interface ResolveCallOptions extends Pick<PlanCallOptions, "environment" | "env" | "envFile" | "plugins" | "inProcess" | "connectTimeoutMs" | "waitMs"> {
  database: string;
  migration: string;
  action: "applied" | "rolled-back";
}

/**
 * `migrate baseline --to ID`: record every migration up to and including `to` as applied without
 * running it, on every selected database. Databases whose history disagrees fail; others go on.
 */
export interface BaselineCallOptions extends Omit<PlanCallOptions, "lint"> {
  /** The migration ID to record up to, included. */
  to: string;
  /** Only preview: a plan whose migrations to record carry `action: "mark"`. @default false */
  plan?: boolean;
}

/** The worker threads of a {@link Runner}, fixed for its life. */
export interface RunnerOptions {
  /**
   * Threads for databases that run alone: SQLite databases, engines that run user code (knex,
   * plugins) and migrations with a timeout. @default max(4, 2 × cores)
   */
  maxThreads?: number;
  /** Threads that carry several server databases of the built-in SQL engines each. @default ceil(cores / 2), at most maxThreads */
  sharedThreads?: number;
  /** Heap limit of each worker thread (MiB): a migration past it fails its database only. @default 2048 */
  workerMemoryMb?: number;
  /** A thread beyond the first exits after idling this long. @default 30000 */
  idleTimeoutMs?: number;
}

/**
 * A plan that previews a run: each migration the run with the same `direction`, `steps` and
 * `to` would apply or revert gets `action` (`migrate --plan --down --steps 1`).
 */
export interface PreviewOptions extends Pick<RunCallOptions, "direction" | "steps" | "to"> {}

export interface PlanAllOptions extends PlanCallOptions, PreviewOptions, RunnerOptions {}
export interface RunAllOptions extends RunCallOptions, RunnerOptions {}
export interface BaselineAllOptions extends BaselineCallOptions, RunnerOptions {}
export interface ResolveOptions extends ResolveCallOptions, Pick<RunnerOptions, "workerMemoryMb"> {}
