import { availableParallelism } from "node:os";
import { BUILTIN_ENGINES } from "../runtime-files.js";
import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";
import { defaultRegistry } from "../registry/default-registry.js";
import type { Engine } from "../registry/engine.js";
import type { CallContext, FolderContext, ProgressMode } from "./protocol.js";
import type { RunnerListeners } from "./events.js";
import type { Placement, WorkerPoolOptions } from "./worker-pool.js";

/** Databases in flight per server unless `perServerLimit` says otherwise. */
export const DEFAULT_PER_SERVER_LIMIT = 8;
/** Heap limit of a worker thread unless `workerMemoryMb` says otherwise. */
export const DEFAULT_WORKER_MEMORY_MB = 2048;
/**
 * Young generation of a worker thread (2 MiB per semi-space), where V8 would let it grow to 16
 * MiB per semi-space in every thread: what a task allocates lives for milliseconds and dies young
 * at this size too. 5,000 SQLite databases through four threads peaked at 196 MiB instead of
 * 232, in the same time (docs/performance.md).
 */
export const WORKER_YOUNG_GENERATION_MB = 6;
/** Threads of a kept runner beyond the first exit after idling this long. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Plans (and resolves) of this many databases or fewer run in the calling thread: no thread to start. */
export const IN_PROCESS_MAX_DATABASES = 4;
/** Server databases in flight in one shared thread at most; p-limit keeps the real number lower. */
const TASKS_PER_SHARED_THREAD = 64;

/**
 * Threads for databases that run alone. SQLite work mostly waits on fsync (84 per database of
 * 20 migrations), not on the CPU: twice the cores keeps the cores busy while others wait.
 */
export const defaultAloneThreads = (cores = availableParallelism()): number => Math.max(4, 2 * cores);
/** Shared threads carry many waiting server databases each, leaving the cores to the servers. */
export const defaultSharedThreads = (cores = availableParallelism()): number => Math.ceil(cores / 2);

export interface PoolSettings {
  maxThreads?: number;
  sharedThreads?: number;
  workerMemoryMb?: number;
  idleTimeoutMs?: number;
}

export function poolOptions(settings: PoolSettings): WorkerPoolOptions {
  return {
    aloneThreads: Math.max(1, settings.maxThreads ?? defaultAloneThreads()),
    sharedThreads: Math.max(1, settings.sharedThreads ?? Math.min(settings.maxThreads ?? Number.POSITIVE_INFINITY, defaultSharedThreads())),
    tasksPerSharedThread: TASKS_PER_SHARED_THREAD,
    workerMemoryMb: settings.workerMemoryMb ?? DEFAULT_WORKER_MEMORY_MB,
    idleTimeoutMs: settings.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  };
}

/** The engine as this thread's registry knows it; undefined for one the workers alone may know. */
export function engineOf(db: DatabaseConfig): Engine | undefined {
  return defaultRegistry.has(db.engine) ? defaultRegistry.get(db.engine) : undefined;
}

/** Runs code from the user's project, or may: an engine that does not say is assumed to. */
export function runsUserCode(engine: Engine | undefined): boolean {
  return engine?.runsUserCode !== false;
}

/**
 * Where one database runs. Alone in its thread: engines that run user code (their crash must not
 * cut short another database's migration), SQLite (CPU-bound) and migrations with a timeout
 * (the thread is stopped). `server` is the database's `host:port`, undefined for SQLite. The rest — server databases of engines that run only SQL — share.
 */
export function placement(db: DatabaseConfig, server: string | undefined, engine: Engine | undefined, inProcess: boolean): Placement {
  if (inProcess) return "in-process";
  if (runsUserCode(engine) || server === undefined || db.migrationTimeoutMs !== undefined) return "alone";
  return "shared";
}

/** What a one-shot call's threads are for: WorkerPool.fit sizes the pools to it. */
export interface ThreadDemand {
  sqlite: number;
  otherAlone: number;
  shared: number;
  /** At most this many alone threads. */
  maxAlone?: number;
}

/**
 * The databases of a one-shot call by the threads they need, and a cap of one alone thread per
 * core for SQLite work that barely waits on the disk and is CPU-bound — a plan (it writes
 * nothing), a baseline (one commit per database) and a run up whose SQLite databases each commit
 * once (Engine.oneCommitPerRun) — as a thread more costs its start-up and warm-up (measured on 2
 * cores: 100 knex databases 15.0 → 11.9 ms each on 2 threads instead of 4; drizzle with
 * `transaction_mode: all` 8.0 → 7.1; a plan of 500 SQLite databases 675 → 450 ms). Runs that
 * commit per migration wait on the disk 20 times per database and keep two per core; a call with
 * a database alone on a server (user code, a timeout) keeps them too.
 */
export function threadDemand(mode: CallContext["mode"], direction: "up" | "down", selected: readonly DatabaseConfig[], places: readonly Placement[], servers: readonly (string | undefined)[], engines: ReadonlyMap<string, Engine | undefined>, cores: number): ThreadDemand {
  const demand: ThreadDemand = { sqlite: 0, otherAlone: 0, shared: 0 };
  let cpuBound = mode === "plan" || mode === "baseline" || (mode === "run" && direction === "up");
  for (let i = 0; i < selected.length; i++) {
    if (places[i] === "shared") demand.shared++;
    else if (places[i] !== "alone") continue;
    else if (servers[i] !== undefined) demand.otherAlone++;
    else {
      demand.sqlite++;
      if (mode === "run" && cpuBound) cpuBound = commitsOnce(engines.get(selected[i]!.engine), selected[i]!);
    }
  }
  if (cpuBound && demand.sqlite > 0 && demand.otherAlone === 0) demand.maxAlone = cores;
  return demand;
}

/** The engine's hint; a plugin's hint that throws counts as "per migration" (a hint must never fail a call). */
function commitsOnce(engine: Engine | undefined, db: DatabaseConfig): boolean {
  try {
    return engine?.oneCommitPerRun?.(db.engineConfig) === true;
  } catch {
    return false;
  }
}

/**
 * Live where a timeout or user code may end the thread at any moment and the report must name
 * the current migration; batched for listeners; else none. A shared thread runs only built-in
 * SQL engines, which end it only by a defect or running out of memory: batched is enough there to
 * name the migration in a crash report, because a batch goes out whenever the thread waits on
 * the server, which it does inside every migration — without a message per event.
 */
export function progressMode(where: Placement, engine: Engine | undefined, db: DatabaseConfig, on: RunnerListeners | undefined): ProgressMode {
  if (db.migrationTimeoutMs !== undefined || (where !== "in-process" && runsUserCode(engine))) return "live";
  // `lock:waiting` is sent in every mode (it is rare, and a run that waits must say so): a
  // listener to it alone needs no event channel, and batched plans stay batched.
  const listening = on?.["database:start"] || on?.["migration:start"] || on?.["migration:applied"] || on?.["migration:reverted"];
  return where === "shared" || listening ? "batched" : "none";
}

/** What a worker needs to run the databases of one folder, the same for each of them. */
export function folderContext(db: DatabaseConfig, engine: Engine | undefined, config: StagecraftConfig, extraPlugins: readonly string[]): FolderContext {
  const own = engine?.workerModule;
  return {
    engine: db.engine,
    engineConfig: db.engineConfig,
    migrationPath: db.migrationPath,
    modules: own === undefined ? [BUILTIN_ENGINES] : [own],
    plugins: own === undefined ? [...config.plugins, ...extraPlugins] : [],
  };
}
