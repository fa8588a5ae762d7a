import { pathToFileURL } from "node:url";
import { StagecraftError, scrubError, serializeError, type SerializedError } from "../errors.js";
import { secretsOf } from "../drivers/url.js";
import { defaultRegistry } from "../registry/default-registry.js";
import type { Engine, Migration, MigrationProgress, PlanOptions, PlanResult, PlanWarning } from "../registry/engine.js";
import { asPlanResult, previewOptions, warningsOf, withStates } from "../registry/plan-result.js";
import type { Task, TaskResult } from "./protocol.js";
import { once } from "../util/once.js";

const importedPlugins = new Set<string>();
const importBuiltins = once(() => import("../engines/builtin.js"));
/** How often a worker looks at the shared cancel flag while a task runs. */
const ABORT_POLL_MS = 50;

/** Runs one database's plan/run/resolve. Never throws: failures come back as data. */
export async function handleTask(task: Task): Promise<TaskResult> {
  const controller = new AbortController();
  const poll = task.abortFlag === undefined ? undefined : setInterval(() => {
    if (Atomics.load(task.abortFlag!, 0) !== 0) controller.abort();
  }, ABORT_POLL_MS);
  poll?.unref();
  let applied: string[] = [];
  // Every secret form of the URL, found even in a URL that does not parse.
  const secrets = secretsOf(task.url);
  let base: PlanOptions | undefined;
  try {
    await importBuiltins();
    for (const plugin of task.plugins) {
      if (importedPlugins.has(plugin)) continue;
      await import(pathToFileURL(plugin).href);
      importedPlugins.add(plugin);
    }
    const engine = lookUp(task.engine);
    base = {
      config: task.engineConfig,
      migrationPath: task.migrationPath,
      connectionEnv: task.connectionEnv,
      url: task.url,
      workDir: task.workDir,
      database: task.database,
      lockTimeoutMs: task.lockTimeoutMs,
      ...(task.connection === undefined ? {} : { connection: task.connection }),
      signal: controller.signal,
    };
    let cancelled = false;
    let migrations: Migration[] | undefined;
    let warnings: PlanWarning[] | undefined;
    if (task.mode === "run") {
      // Track what was applied from the engine's progress, so a failure still reports it.
      const onProgress = (event: MigrationProgress): void => {
        if (event.type === "migration:applied") applied.push(event.migration);
        task.port?.postMessage(event);
      };
      const result = await engine.run({ ...base, direction: task.direction, steps: task.steps, ...(task.to === undefined ? {} : { to: task.to }), onProgress });
      applied = result.applied;
      cancelled = result.cancelled === true;
      migrations = result.migrations;
      warnings = result.warnings;
    } else if (task.mode === "resolve") {
      if (engine.resolve === undefined || task.resolve === undefined) {
        throw new StagecraftError("unsupported", `engine ${engine.id} has no resolve operation`);
      }
      await engine.resolve({ ...base, ...task.resolve });
      applied = [task.resolve.migration];
    }
    if (migrations === undefined) {
      const planned = asPlanResult(await engine.plan(task.mode === "plan" ? previewOptions(base, task) : base));
      // A blocked database (a failed migration, drift) fails with every migration still listed.
      if (planned.blocked) return { status: "failed", migrations: withStates(planned.migrations), applied, ...warningsOf(planned.warnings), error: failure(planned.blocked, task, secrets) };
      migrations = planned.migrations;
      warnings ??= planned.warnings;
    }
    return { status: cancelled ? "cancelled" : "succeeded", migrations: withStates(migrations), applied, ...warningsOf(warnings) };
  } catch (error) {
    // A lock wait or a --wait stopped by cancellation: the database is cancelled, not failed.
    if (serializeError(error).kind === "cancelled") return { status: "cancelled", migrations: [], applied };
    // After a failed connection, planning would only wait for the same server again.
    const after = serializeError(error).kind === "connection_failed" ? { migrations: [] } : await planAfterFailure(task, base);
    return { status: "failed", migrations: withStates(after.migrations), applied, ...warningsOf(after.warnings), error: failure(error, task, secrets) };
  } finally {
    if (poll) clearInterval(poll);
    task.port?.close();
  }
}

/** The error as the report carries it: named after the database, secrets scrubbed. */
function failure(error: unknown, task: Task, secrets: string[]): SerializedError {
  const plain = serializeError(error);
  const message = plain.message.includes(`database ${task.database}`) ? plain.message : `database ${task.database}: ${plain.message}`;
  return scrubError({ ...plain, message, database: task.database }, secrets);
}

/** The state after a failed run, so the report shows what did get applied; empty if that fails too. */
async function planAfterFailure(task: Task, base: PlanOptions | undefined): Promise<PlanResult> {
  if (task.mode === "plan" || base === undefined) return { migrations: [] };
  try {
    return asPlanResult(await lookUp(task.engine).plan(base));
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
