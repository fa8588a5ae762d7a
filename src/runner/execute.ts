import { availableParallelism } from "node:os";
import pLimit, { type LimitFunction } from "p-limit";
import { sameSource } from "../config/check-database.js";
import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";
import { scrubError } from "../errors.js";
import { secretsOf } from "../drivers/url.js";
import { exclusiveGroups } from "./exclusive-groups.js";
import { emit } from "./events.js";
import type { RunCallOptions } from "./options.js";
import { PlanInterner } from "./plan-interner.js";
import { PLAN_BATCH_MAX } from "./plan-batches.js";
import { engineOf, folderContext, IN_PROCESS_MAX_DATABASES, placement, progressMode, runsUserCode, threadDemand, DEFAULT_PER_SERVER_LIMIT } from "./placement.js";
import { prepare, serverOf, type Prepared } from "./prepare.js";
import type { CallContext, FolderContext, SharedRef, Task } from "./protocol.js";
import { assembleReport, databaseReport, finalStatus, type DatabaseReport, type LooseDatabaseReport, type RunReport } from "./report.js";
import { RunnerLint } from "../lint/runner-lint.js";
import { select } from "./select.js";
import { share, SharedTable } from "./shared-data.js";
import { nextTaskId, type DispatchOutcome, type Placement, type WorkerPool } from "./worker-pool.js";

export interface ExecuteSettings {
  /** Threads for databases that run alone, to size the default concurrency. */
  aloneThreads: number;
  /** No runner is kept: a small plan may run in this thread, and the pool may start fewer threads than its maximum. */
  oneShot: boolean;
  /** The caller chose the thread counts: keep them. */
  threadsChosen: boolean;
}

/** Plans, runs or resolves the selected databases of a loaded config on `pool`; one database failing never rejects. */
export async function execute(mode: CallContext["mode"], config: StagecraftConfig, options: RunCallOptions & { preview?: boolean }, pool: WorkerPool, settings: ExecuteSettings, resolve?: CallContext["resolve"]): Promise<RunReport> {
  const selected = select(config, options);
  const env = options.env ?? process.env;
  // Scheduling needs only each database's server; the rest of its preparation (URL, redacted
  // target, errors) is made as it is dispatched, so a fleet of thousands never holds all of them
  // at once. Equal servers are one string.
  const serverNames = new Map<string, string>();
  const servers = selected.map((db) => {
    const server = serverOf(db, env, config.dir);
    return server === undefined ? undefined : serverNames.get(server) ?? (serverNames.set(server, server), server);
  });
  emit(options.on, "run:start", { databases: selected.length });
  const engines = new Map(selected.map((db) => [db.engine, engineOf(db)]));
  const small = mode !== "run" && settings.oneShot && selected.length <= IN_PROCESS_MAX_DATABASES && selected.every((db) => !runsUserCode(engines.get(db.engine)));
  const inProcess = options.inProcess ?? small;
  const cores = availableParallelism();
  const anyServer = serverNames.size > 0;
  const places = selected.map((db, i) => placement(db, servers[i], engines.get(db.engine), inProcess));
  const aloneThreads = settings.oneShot && !settings.threadsChosen && !inProcess ? pool.fit(threadDemand(mode, options.direction ?? "up", selected, places, servers, engines, cores)) : settings.aloneThreads;
  // SQLite-only: two per thread (two batches per thread for a plan, see plan-batches.ts), so a thread
  // finds its next database queued instead of idling through a round trip to this thread. With servers: I/O-bound, several per thread.
  const concurrency = Math.max(1, options.concurrency ?? (anyServer ? Math.max(8, 4 * cores) : 2 * aloneThreads * (mode === "plan" ? PLAN_BATCH_MAX : 1)));
  const perServer = options.perServerLimit ?? DEFAULT_PER_SERVER_LIMIT;
  const limit = pLimit(concurrency);
  const serverLimits = new Map<string, LimitFunction>();
  const direction = options.direction ?? "up";
  const call = share<CallContext>({ mode, direction: options.direction ?? "up", steps: options.steps ?? 0, ...(options.to === undefined ? {} : { to: options.to }), workDir: config.dir, ...(resolve ? { resolve } : {}), ...(options.preview ? { preview: true } : {}) });
  const folders = new SharedTable<FolderContext>();
  const folderKeys = new WeakMap<Record<string, unknown>, string>();
  type Folder = { key: string; ref: SharedRef<FolderContext> };
  // The members of a fleet come one after another with one folder: no key to build for them.
  let lastFolder: { db: DatabaseConfig; folder: Folder } | undefined;
  const folderOf = (db: DatabaseConfig): Folder => {
    if (lastFolder !== undefined && sameSource(lastFolder.db, db)) return lastFolder.folder;
    const folder = folderFor(db);
    lastFolder = { db, folder };
    return folder;
  };
  const folderFor = (db: DatabaseConfig): Folder => {
    let configKey = folderKeys.get(db.engineConfig);
    if (configKey === undefined) folderKeys.set(db.engineConfig, (configKey = JSON.stringify(db.engineConfig)));
    const key = `${db.engine}\0${db.migrationPath}\0${configKey}`;
    return { key, ref: folders.get(key, () => folderContext(db, engines.get(db.engine), config, options.plugins ?? [])) };
  };
  const interner = new PlanInterner();
  const abortFlag = options.signal ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
  const onAbort = (): void => void (abortFlag && Atomics.store(abortFlag, 0, 1));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let failed = false;
  const reportMode = mode === "plan" || options.preview === true ? "plan" : mode === "baseline" ? "baseline" : "run";
  // Lint: plans list findings of pending migrations; up runs refuse a database whose pending migrations have errors.
  // A baseline runs no SQL, so there is nothing to lint.
  const lint = options.lint === false || mode === "resolve" || mode === "baseline" || options.direction === "down" ? undefined : new RunnerLint(config.lint, config.dir, reportMode === "plan" ? "plan" : "run");

  const runOne = async (db: DatabaseConfig, where: Placement): Promise<DatabaseReport> => {
    const as = (status: DatabaseReport["status"]): LooseDatabaseReport => ({ name: db.name, engine: db.engine, status, migrations: [], applied: [] });
    if (options.signal?.aborted) return databaseReport(as("cancelled"));
    if (failed && options.failFast) return databaseReport(as("skipped"));
    const item = prepare(db, config, env);
    if (item.url === undefined) return finish(item, { ...as("failed"), error: item.error! }, 0);
    const started = performance.now();
    const engine = engines.get(db.engine);
    const folder = folderOf(db);
    const target = item.target!;
    const lintOf = lint?.applies(engine) ? lint.forDatabase(db, engine, item.url) : undefined;
    const linted = lintOf instanceof Promise ? await lintOf : lintOf;
    const task: Task = {
      id: nextTaskId(),
      call,
      folder: folder.ref,
      database: db.name,
      connectionEnv: db.connectionEnv,
      url: item.url,
      lockTimeoutMs: db.lockTimeoutMs,
      connection: {
        connectTimeoutMs: options.connectTimeoutMs ?? db.connectTimeoutMs,
        stallTimeoutMs: db.stallTimeoutMs,
        waitMs: options.waitMs ?? 0,
        createDatabase: mode === "run" && options.createDatabase === true,
      },
      progress: progressMode(where, engine, db, options.on),
      announce: options.on?.["database:start"] !== undefined,
      ...(abortFlag ? { abortFlag } : {}),
      ...(linted?.errors ? { lintErrors: linted.errors } : {}),
    };
    const outcome = await pool.dispatch(task, {
      placement: where,
      batch: mode === "plan",
      ...(db.migrationTimeoutMs === undefined ? {} : { migrationTimeoutMs: db.migrationTimeoutMs }),
      onEvent: (event) => {
        if (event.type === "database:start") emit(options.on, "database:start", { database: db.name, engine: db.engine, target });
        else if (event.type === "migration:start") emit(options.on, "migration:start", { database: db.name, migration: event.migration, direction });
        // Engines report a reverted migration as done like an applied one: the call's direction says which.
        else if (event.type === "migration:applied") emit(options.on, direction === "down" ? "migration:reverted" : "migration:applied", { database: db.name, migration: event.migration, durationMs: event.durationMs });
        else if (event.type !== "engine:step") emit(options.on, event.type, { database: db.name, ...event });
      },
    });
    const report = toReport(as("failed"), outcome, db, item.url);
    report.migrations = interner.migrations(folder.key, report.migrations);
    report.applied = interner.ids(folder.key, report.applied);
    linted?.annotate(report);
    report.target = target;
    return finish(item, report, performance.now() - started);
  };
  /** `loose` carries the database's `target` when its URL is known. */
  const finish = (item: Prepared, loose: LooseDatabaseReport, elapsedMs: number): DatabaseReport => {
    if (reportMode !== "plan") loose.durationMs = Math.round(elapsedMs);
    const report = databaseReport(loose, finalStatus(reportMode, loose.status));
    if (report.status === "failed") failed = true;
    emit(options.on, "database:done", { database: item.db.name, report });
    return report;
  };

  try {
    const schedule = (index: number): Promise<DatabaseReport> => {
      const db = selected[index]!;
      const where = places[index]!;
      const server = servers[index];
      const serverLimit = server === undefined ? undefined : serverLimits.get(server) ?? serverLimits.set(server, pLimit(perServer)).get(server)!;
      return serverLimit ? serverLimit(() => limit(() => runOne(db, where))) : limit(() => runOne(db, where));
    };
    // Feed p-limit a window of databases, not all of them at once: a fleet of thousands keeps
    // only a few pending closures alive, so memory stays flat as the fleet grows.
    const reports: DatabaseReport[] = new Array(selected.length);
    const { shared, groups } = exclusiveGroups(selected, servers, env, config.dir, reportMode !== "plan");
    let next = 0;
    const scheduleAt = async (index: number): Promise<void> => {
      reports[index] = await schedule(index);
    };
    const feeder = async (): Promise<void> => {
      while (next < shared.length) await scheduleAt(shared[next++]!);
    };
    // Databases behind a server-wide engine lock: one at a time per server, each group on its own.
    const serial = async (group: number[]): Promise<void> => {
      for (const index of group) await scheduleAt(index);
    };
    // With servers: room for every server's limiter to hold its share waiting, so one busy server
    // never stalls the rest. Without: one feeder per database in flight.
    const window = Math.min(selected.length, serverNames.size === 0 ? concurrency : 2 * concurrency + serverNames.size * perServer);
    await Promise.all([...Array.from({ length: Math.min(window, shared.length) }, feeder), ...groups.map(serial)]);
    return assembleReport(reportMode, reports, { direction: options.direction ?? "up", ...(resolve ? { resolution: { ...resolve } } : {}) });
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

function toReport(base: LooseDatabaseReport, outcome: DispatchOutcome, db: DatabaseConfig, url: string): LooseDatabaseReport {
  switch (outcome.kind) {
    case "result": {
      const { status, migrations, applied, warnings, error } = outcome.result;
      const report: LooseDatabaseReport = { name: base.name, engine: base.engine, status, migrations, applied };
      if (warnings) report.warnings = warnings;
      if (error) report.error = error;
      return report;
    }
    case "timeout": {
      const migration = outcome.where.migration;
      return { ...base, error: {
        kind: "migration_timeout",
        message: `database ${db.name}: migration ${migration ?? "(unknown)"} ran longer than migration_timeout_ms (${db.migrationTimeoutMs} ms); its worker thread was stopped and its connection closed`,
        database: db.name,
        ...(migration ? { migration } : {}),
        hint: "a transactional migration was rolled back with the connection; a non-transactional one is recorded as unfinished: check the database, then `stagecraft migrate resolve`",
      } };
    }
    case "crash": {
      const { migration, step } = outcome.where;
      const during = migration !== undefined ? ` during migration ${migration}` : step !== undefined ? ` while ${step.step}${step.file === undefined ? "" : ` ${step.file}`}` : "";
      const culprit = migration ?? step?.migration;
      // A crash message is whatever the thread died of, e.g. an error holding the connection config.
      return { ...base, error: scrubError({
        kind: "internal",
        message: `database ${db.name}: the worker thread running engine ${db.engine} died${during}: ${outcome.message}`,
        database: db.name,
        ...(culprit === undefined ? {} : { migration: culprit }),
        ...(migration === undefined && step?.file !== undefined ? { file: step.file } : {}),
        hint: "a migration or engine ended its thread (process.exit, an uncaught error, out of memory); it ran alone in that thread, so no other database was affected",
      }, secretsOf(url)) };
    }
  }
}
