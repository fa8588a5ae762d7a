import { StagecraftError, scrubError, serializeError, type SerializedError } from "../errors.js";
import { secretsOf } from "../drivers/url.js";
import { defaultRegistry } from "../registry/default-registry.js";
import type { Engine, Migration, MigrationProgress, PlanOptions, PlanResult, PlanWarning } from "../registry/engine.js";
import { previewOptions, warningsOf, withStates } from "../registry/plan-result.js";
import { importModule, loadPlugins } from "../config/plugins.js";
import { checkPlan, checkRun } from "./check-result.js";
import { TaskEvents, type EventSink } from "./outbox.js";
import type { CallContext, FolderContext, Task, TaskBatch, TaskResult } from "./protocol.js";
import { unshare } from "./shared-data.js";
import { flagSignal } from "./worker-abort.js";
import { refuseLintErrors } from "./lint-gate.js";
import { baselineTask } from "./baseline-task.js";

/** Module imports this thread started, kept so each module is imported once (and a failure stays one). */
const imports = new Map<string, Promise<unknown>>();

/**
 * Runs one database's plan/run/resolve/baseline. Never throws: failures come back as data. `sink` is
 * given when the task runs in the calling thread instead of a worker.
 */
export async function handleTask(task: Task, sink?: EventSink): Promise<TaskResult> {
  const events = new TaskEvents(task.id, task.progress, sink);
  const { signal, dispose } = flagSignal(task.abortFlag, task.call.key);
  const call = unshare(task.call);
  const folder = unshare(task.folder);
  const applied: string[] = [];
  let base: PlanOptions | undefined;
  const done = (result: Omit<TaskResult, "events">): TaskResult => {
    events.end();
    return { ...result, events: events.count };
  };
  try {
    // Queued behind other databases when the caller cancelled: this one is never touched.
    if (signal.aborted) return done({ status: "cancelled", migrations: [], applied: [] });
    if (task.announce) events.send({ type: "database:start" });
    // The modules register the engine: in the calling thread (or a warm worker) it may be registered already.
    if (!defaultRegistry.has(folder.engine)) {
      for (const module of folder.modules) await importOnce(module, () => importModule(module, undefined, "module"));
      for (const plugin of folder.plugins) await importOnce(plugin, () => loadPlugin(plugin));
    }
    const engine = lookUp(folder.engine);
    base = {
      config: folder.engineConfig,
      migrationPath: folder.migrationPath,
      connectionEnv: task.connectionEnv,
      url: task.url,
      workDir: call.workDir,
      database: task.database,
      lockTimeoutMs: task.lockTimeoutMs,
      ...(task.connection === undefined ? {} : { connection: task.connection }),
      signal,
      callId: task.call.key,
    };
    let cancelled = false;
    let migrations: Migration[] | undefined;
    let warnings: PlanWarning[] | undefined;
    if (call.mode === "run") {
      // Track what was applied from the engine's progress, so a failure still reports it.
      const onProgress = (event: MigrationProgress): void => {
        if (event.type === "migration:applied") applied.push(event.migration);
        events.send(event);
      };
      if (task.lintErrors && call.direction === "up") await refuseLintErrors(engine, base, call, task.lintErrors);
      const result = checkRun(engine.id, await engine.run({ ...base, direction: call.direction, steps: call.steps, ...(call.to === undefined ? {} : { to: call.to }), onProgress }));
      applied.splice(0, applied.length, ...result.applied);
      cancelled = result.cancelled === true;
      migrations = result.migrations;
      warnings = result.warnings;
    } else if (call.mode === "resolve") {
      if (engine.resolve === undefined || call.resolve === undefined) {
        throw new StagecraftError("unsupported", `engine ${engine.id} has no resolve operation`);
      }
      await engine.resolve({ ...base, ...call.resolve });
      applied.push(call.resolve.migration);
    } else if (call.mode === "baseline") {
      ({ migrations, warnings } = await baselineTask(engine, base, call, applied));
    }
    if (migrations === undefined) {
      const planned = checkPlan(engine.id, await engine.plan(call.mode === "plan" ? previewOptions(base, call) : base));
      // A blocked database (a failed migration, drift) fails with every migration still listed.
      if (planned.blocked) return done({ status: "failed", migrations: withStates(planned.migrations), applied, ...warningsOf(planned.warnings), error: failure(planned.blocked, task) });
      migrations = planned.migrations;
      warnings ??= planned.warnings;
    }
    return done({ status: cancelled ? "cancelled" : "succeeded", migrations: withStates(migrations), applied, ...warningsOf(warnings) });
  } catch (error) {
    // A lock wait or a --wait stopped by cancellation: the database is cancelled, not failed.
    if (serializeError(error).kind === "cancelled") return done({ status: "cancelled", migrations: [], applied });
    // After a failed connection, planning would only wait for the same server again.
    const after = serializeError(error).kind === "connection_failed" ? { migrations: [] } : await planAfterFailure(call, folder, base);
    return done({ status: "failed", migrations: withStates(after.migrations), applied, ...warningsOf(after.warnings), error: failure(error, task) });
  } finally {
    dispose();
  }
}

/** Runs the tasks of a batch one after another, as the thread would run them sent one by one. */
export async function handleBatch(message: TaskBatch): Promise<TaskResult[]> {
  const results: TaskResult[] = [];
  for (const task of message.batch) results.push(await handleTask(task));
  return results;
}

function importOnce(key: string, load: () => Promise<unknown>): Promise<unknown> {
  let promise = imports.get(key);
  if (promise === undefined) imports.set(key, (promise = load()));
  return promise;
}

/** A plugin, loaded as the config loads it: engines it exports instead of registering are registered too. */
async function loadPlugin(path: string): Promise<void> {
  const [failure] = await loadPlugins([path], defaultRegistry);
  if (failure !== undefined) throw new StagecraftError("invalid_config", failure.message, { hint: "fix the module, or remove it from `plugins:`" });
}

/**
 * The error as the report carries it: named after the database, every secret form of the URL
 * scrubbed (found even in a URL that does not parse). Worked out only for a failure: a parse of
 * the URL per database is measurable on a fleet of no-op databases (bench/dispatch-overhead).
 */
function failure(error: unknown, task: Task): SerializedError {
  const plain = serializeError(error);
  const message = plain.message.includes(`database ${task.database}`) ? plain.message : `database ${task.database}: ${plain.message}`;
  return scrubError({ ...plain, message, database: task.database }, secretsOf(task.url));
}

/** The state after a failed run, so the report shows what did get applied; empty if that fails too. */
async function planAfterFailure(call: CallContext, folder: FolderContext, base: PlanOptions | undefined): Promise<PlanResult> {
  if (call.mode === "plan" || base === undefined) return { migrations: [] };
  try {
    return checkPlan(folder.engine, await lookUp(folder.engine).plan(base));
  } catch {
    return { migrations: [] };
  }
}

function lookUp(id: string): Engine {
  if (defaultRegistry.has(id)) return defaultRegistry.get(id);
  throw new StagecraftError("invalid_config", `engine "${id}" is not registered in the worker thread; available there: [${defaultRegistry.ids().join(", ")}]`, {
    hint: "an engine registered only as an object in the main thread cannot be shipped to a worker: put it in a module listed under `plugins:` in the config (or the plugins option), or pass inProcess: true",
  });
}
