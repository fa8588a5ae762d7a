import { availableParallelism } from "node:os";
import pLimit, { type LimitFunction } from "p-limit";
import { withEnvFile } from "../config/env-file.js";
import { loadConfig, type DatabaseConfig, type StagecraftConfig } from "../config/load.js";
import type { Strategy } from "../config/schema.js";
import { StagecraftError, scrubError } from "../errors.js";
import { secretsOf } from "../drivers/url.js";
import { emit, type RunnerListeners } from "./events.js";
import type { Task } from "./protocol.js";
import { prepare, type Prepared } from "./prepare.js";
import { select } from "./select.js";
import { exclusiveGroups } from "./exclusive-groups.js";
import { buildReport, type DatabaseReport, type RunReport } from "./report.js";
import { WorkerPool, type DispatchOutcome } from "./worker-pool.js";

/** Databases in flight per server unless `perServerLimit` says otherwise. */
export const DEFAULT_PER_SERVER_LIMIT = 8;
/** Heap limit of a worker thread unless `workerMemoryMb` says otherwise. */
export const DEFAULT_WORKER_MEMORY_MB = 2048;

export interface PlanAllOptions {
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
  /** Databases at once. @default 2 × threads for SQLite only; 4 × cores (at least 8) when servers are involved */
  concurrency?: number;
  /** Databases at once on one host:port. @default 8 */
  perServerLimit?: number;
  /** Worker threads. @default min(cores, databases) with SQLite databases; half the cores for server databases only */
  maxThreads?: number;
  /** Stop starting databases after the first failure; the rest are `skipped`. @default false */
  failFast?: boolean;
  /** Stop starting databases; running ones finish their current migration; the rest are `cancelled`. */
  signal?: AbortSignal;
  /** Extra plugin modules (absolute paths) for the workers to import, beside the config's `plugins:`. */
  plugins?: string[];
  /** Run engines in this thread, e.g. for an engine registered only as an object. @default false */
  inProcess?: boolean;
  /** Heap limit of each worker thread (MiB): a migration past it fails its database only. @default 2048 */
  workerMemoryMb?: number;
  /** Longest time to open one connection, for every database (overrides `connect_timeout_ms`). */
  connectTimeoutMs?: number;
  /** Keep retrying a server that is not up yet (refused, unknown host, starting) this long. @default 0 */
  waitMs?: number;
  on?: RunnerListeners;
}

export interface RunAllOptions extends PlanAllOptions {
  /** @default "up" */
  direction?: "up" | "down";
  /** Migrations per database at most; 0 = all pending (up). Down needs ≥ 1 or `to`. @default 0 */
  steps?: number;
  /** Create a PostgreSQL/MySQL database the server says does not exist. @default false */
  createDatabase?: boolean;
  /** Apply up to and including this migration ID (up), or revert down to it, keeping it (down). */
  to?: string;
}

export interface ResolveOptions extends Pick<PlanAllOptions, "environment" | "env" | "envFile" | "plugins" | "inProcess" | "workerMemoryMb" | "connectTimeoutMs" | "waitMs"> {
  database: string;
  migration: string;
  action: "applied" | "rolled-back";
}

/**
 * Plans every selected database on the worker pool. Resolves to a report; one database
 * failing never rejects. Rejects with {@link ConfigError} when the config is unusable.
 *
 * @example
 * const report = await planAll("stagecraft.yml");
 * for (const db of report.databases) console.log(db.name, db.migrations.filter((m) => !m.applied).length);
 */
export function planAll(config: StagecraftConfig | string, options: PlanAllOptions = {}): Promise<RunReport> {
  return execute("plan", config, options);
}

/**
 * Applies (or with `direction: "down"` reverts) migrations of every selected database.
 *
 * @example
 * const report = await runAll("stagecraft.yml", { concurrency: 8, failFast: true });
 * if (!report.ok) process.exitCode = 2;
 */
export function runAll(config: StagecraftConfig | string, options: RunAllOptions = {}): Promise<RunReport> {
  if (options.direction === "down" && !((options.steps ?? 0) >= 1) && options.to === undefined) {
    return Promise.reject(new StagecraftError("invalid_config", "reverting needs steps ≥ 1 (how many migrations to revert per database)"));
  }
  return execute("run", config, options);
}

/** Marks a failed or pending migration as applied, or forgets a failed attempt (one database). */
export async function resolveMigration(config: StagecraftConfig | string, options: ResolveOptions): Promise<RunReport> {
  return execute("resolve", config, { ...options, databases: [options.database] }, { migration: options.migration, action: options.action });
}

async function execute(mode: Task["mode"], input: StagecraftConfig | string, options: RunAllOptions, resolve?: Task["resolve"]): Promise<RunReport> {
  const env = options.envFile === undefined ? options.env ?? process.env : withEnvFile(options.env ?? process.env, options.envFile);
  const config = typeof input === "string"
    ? await loadConfig(input, { ...(options.environment === undefined ? {} : { environment: options.environment }), env })
    : input;
  const selected = select(config, options);
  const cores = availableParallelism();
  const servers = new Map<string, LimitFunction>();
  const perServer = options.perServerLimit ?? DEFAULT_PER_SERVER_LIMIT;
  const prepared = selected.map((db) => prepare(db, config, env));
  // What every task shares; each database's own fields are added only when it is dispatched.
  const common = {
    mode,
    workDir: config.dir,
    direction: options.direction ?? "up",
    steps: options.steps ?? 0,
    ...(options.to === undefined ? {} : { to: options.to }),
    plugins: [...config.plugins, ...(options.plugins ?? [])],
    ...(resolve ? { resolve } : {}),
  } satisfies Partial<Task>;
  const anyServer = prepared.some((p) => p.server !== undefined);
  const anySqlite = prepared.some((p) => p.server === undefined);
  // SQLite work runs in the thread (one per core). Server work is mostly waiting: a few threads
  // carry many databases each, leaving the cores to the servers when they share the machine.
  const defaultThreads = anySqlite ? cores : Math.ceil(cores / 2);
  const maxThreads = Math.max(1, options.maxThreads ?? Math.min(defaultThreads, prepared.length || 1));
  // SQLite-only: two per thread, so a thread finds its next database queued instead of idling
  // through a round trip to this thread. With servers: I/O-bound, several per thread.
  const concurrency = Math.max(1, options.concurrency ?? (anyServer ? Math.max(8, 4 * cores) : 2 * maxThreads));
  const limit = pLimit(concurrency);
  const pool = new WorkerPool({ maxThreads, tasksPerThread: Math.max(1, Math.ceil(concurrency / maxThreads)), inProcess: options.inProcess === true, workerMemoryMb: options.workerMemoryMb ?? DEFAULT_WORKER_MEMORY_MB });
  const abortFlag = options.signal ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
  const onAbort = (): void => void (abortFlag && Atomics.store(abortFlag, 0, 1));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let failed = false;
  const reportMode = mode === "plan" ? "plan" : "run";

  const runOne = async (item: Prepared): Promise<DatabaseReport> => {
    const { db } = item;
    const as = (status: DatabaseReport["status"]): DatabaseReport => ({ name: db.name, engine: db.engine, status, migrations: [], applied: [] });
    if (options.signal?.aborted) return as("cancelled");
    if (failed && options.failFast) return as("skipped");
    if (item.url === undefined) return finish(item, { ...as("failed"), error: item.error! }, 0);
    emit(options.on, "database:start", { database: db.name, engine: db.engine });
    const started = performance.now();
    const task: Task = {
      ...common,
      database: db.name,
      engine: db.engine,
      engineConfig: db.engineConfig,
      migrationPath: db.migrationPath,
      connectionEnv: db.connectionEnv,
      url: item.url,
      lockTimeoutMs: db.lockTimeoutMs,
      connection: {
        connectTimeoutMs: options.connectTimeoutMs ?? db.connectTimeoutMs,
        stallTimeoutMs: db.stallTimeoutMs,
        waitMs: options.waitMs ?? 0,
        createDatabase: mode === "run" && options.createDatabase === true,
      },
      ...(abortFlag ? { abortFlag } : {}),
    };
    const outcome = await pool.dispatch(task, {
      // Alone in its thread: SQLite (CPU-bound), and any task whose thread may be stopped on a timeout.
      isolated: item.server === undefined || db.migrationTimeoutMs !== undefined,
      ...(db.migrationTimeoutMs === undefined ? {} : { migrationTimeoutMs: db.migrationTimeoutMs }),
      ...(options.on?.["migration:start"] || options.on?.["migration:applied"]
        ? { onProgress: (event) => emit(options.on, event.type, { database: db.name, ...event }) }
        : {}),
    });
    return finish(item, toReport(as("failed"), outcome, db, secretsOf(item.url)), performance.now() - started);
  };
  const finish = (item: Prepared, report: DatabaseReport, elapsedMs: number): DatabaseReport => {
    if (report.status === "failed") failed = true;
    const out = reportMode === "run" ? { ...report, durationMs: Math.round(elapsedMs) } : report;
    emit(options.on, "database:done", { database: item.db.name, report: out });
    return out;
  };

  try {
    const schedule = (item: Prepared): Promise<DatabaseReport> => {
      const serverLimit = item.server === undefined ? undefined : servers.get(item.server) ?? servers.set(item.server, pLimit(perServer)).get(item.server)!;
      return serverLimit ? serverLimit(() => limit(() => runOne(item))) : limit(() => runOne(item));
    };
    // Feed p-limit a window of databases, not all of them at once: a fleet of thousands keeps
    // only a few pending closures alive, so memory stays flat as the fleet grows.
    const reports: DatabaseReport[] = new Array(prepared.length);
    const { shared, groups } = exclusiveGroups(prepared, config.dir, mode !== "plan");
    let next = 0;
    const feeder = async (): Promise<void> => {
      while (next < shared.length) {
        const index = shared[next++]!;
        reports[index] = await schedule(prepared[index]!);
      }
    };
    // Databases behind a server-wide engine lock: one at a time per server, each group on its own.
    const serial = async (group: number[]): Promise<void> => {
      for (const index of group) reports[index] = await schedule(prepared[index]!);
    };
    // Room for every server's limiter to hold its share waiting, so one busy server never stalls the rest.
    const serverCount = new Set(prepared.map((p) => p.server).filter((server) => server !== undefined)).size;
    const window = Math.min(prepared.length, 2 * concurrency + serverCount * perServer);
    await Promise.all([...Array.from({ length: Math.min(window, shared.length) }, feeder), ...groups.map(serial)]);
    return buildReport(reportMode, reports);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await pool.close();
  }
}

function toReport(base: DatabaseReport, outcome: DispatchOutcome, db: DatabaseConfig, secrets: readonly string[]): DatabaseReport {
  switch (outcome.kind) {
    case "result": {
      const { status, migrations, applied, error } = outcome.result;
      const { warnings } = outcome.result;
      return { name: base.name, engine: base.engine, status, migrations, applied, ...(warnings ? { warnings } : {}), ...(error ? { error } : {}) };
    }
    case "timeout":
      return { ...base, error: {
        kind: "migration_timeout",
        message: `database ${db.name}: migration ${outcome.migration ?? "(unknown)"} ran longer than migration_timeout_ms (${db.migrationTimeoutMs} ms); its worker thread was stopped and its connection closed`,
        database: db.name,
        ...(outcome.migration ? { migration: outcome.migration } : {}),
        hint: "a transactional migration was rolled back with the connection; a non-transactional one is recorded as unfinished: check the database, then `stagecraft migrate resolve`",
      } };
    case "crash":
      // A crash message is whatever the thread died of, e.g. an error holding the connection config.
      return { ...base, error: scrubError({
        kind: "internal",
        message: `database ${db.name}: the worker thread running engine ${db.engine} died: ${outcome.message}`,
        database: db.name,
        hint: "a migration or engine ended its thread (process.exit, out of memory, a native crash); other databases were not affected",
      }, secrets) };
  }
}
