import { withEnvFile } from "../config/env-file.js";
import { loadConfig, type StagecraftConfig } from "../config/load.js";
import { StagecraftError } from "../errors.js";
import { execute } from "./execute.js";
import type { BaselineCallOptions, PlanCallOptions, PreviewOptions, ResolveCallOptions, RunCallOptions, RunnerOptions } from "./options.js";
import { poolOptions } from "./placement.js";
import type { CallContext } from "./protocol.js";
import type { RunReport } from "./report.js";
import { WorkerPool, type WorkerPoolOptions } from "./worker-pool.js";

/**
 * A worker pool kept across calls. Each planAll/runAll starts threads that import the engines
 * and warm up, then throws them away; a process that migrates more than once (a service at
 * start-up and again later, a test suite) keeps one runner and its warm threads instead.
 * Threads start on first use (or at once with `warm()`), and `close()` ends them.
 *
 * @example
 * await using runner = createRunner();
 * const plan = await runner.plan("stagecraft.yml");
 * if (plan.databases.some((db) => db.migrations.some((m) => !m.applied))) await runner.run("stagecraft.yml");
 */
export class Runner {
  readonly #pool: WorkerPool;
  readonly #options: WorkerPoolOptions;
  readonly #threadsChosen: boolean;
  readonly #calls = new Set<Promise<unknown>>();
  #closing = false;

  constructor(options: RunnerOptions = {}) {
    this.#options = poolOptions(options);
    this.#threadsChosen = options.maxThreads !== undefined;
    this.#pool = new WorkerPool(this.#options);
  }

  /** Starts the first worker thread now, e.g. while the config still loads. */
  warm(): this {
    this.#pool.warm();
    return this;
  }

  /** Plans every selected database. Resolves to a report; rejects only for an unusable config. */
  plan(config: StagecraftConfig | string, options: PlanCallOptions & PreviewOptions = {}): Promise<RunReport> {
    return this.#execute("plan", config, options);
  }

  /** Applies (or with `direction: "down"` reverts) migrations of every selected database. */
  run(config: StagecraftConfig | string, options: RunCallOptions = {}): Promise<RunReport> {
    const problem = runOptionsProblem(options);
    return problem ? Promise.reject(problem) : this.#execute("run", config, options);
  }

  /** Marks a failed or pending migration as applied, or forgets a failed attempt (one database). */
  resolve(config: StagecraftConfig | string, options: ResolveCallOptions): Promise<RunReport> {
    return this.#execute("resolve", config, { ...options, databases: [options.database] }, { migration: options.migration, action: options.action });
  }

  /**
   * Records every migration up to and including `options.to` as applied without running it, on
   * every selected database (`plan: true` previews). Resolves to a report of mode `baseline`
   * (`plan` for a preview) whose `applied` lists what each database had marked.
   */
  baseline(config: StagecraftConfig | string, options: BaselineCallOptions): Promise<RunReport> {
    const problem = baselineOptionsProblem(options);
    return problem ? Promise.reject(problem) : this.#execute("baseline", config, baselineCall(options));
  }

  /** Ends the worker threads once running calls are done with them; later calls reject. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#calls]);
    await this.#pool.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** For planAll/runAll: one call on a runner made for it, which may then plan small fleets in-process. */
  static async once(mode: CallContext["mode"], input: StagecraftConfig | string, options: RunCallOptions & { preview?: boolean } & RunnerOptions, resolve?: CallContext["resolve"]): Promise<RunReport> {
    const runner = new Runner(options);
    // A run always needs threads: load the pool library while the config loads (the threads
    // themselves start once the fleet is known, as many as it can use).
    if (mode === "run" && options.inProcess !== true) runner.#pool.preload();
    try {
      return await runner.#execute(mode, input, options, resolve, true);
    } finally {
      await runner.close();
    }
  }

  #execute(mode: CallContext["mode"], input: StagecraftConfig | string, options: RunCallOptions & { preview?: boolean }, resolve?: CallContext["resolve"], oneShot = false): Promise<RunReport> {
    if (this.#closing) return Promise.reject(new StagecraftError("invalid_config", "this runner is closed; create another one"));
    const call = this.#call(mode, input, options, resolve, oneShot);
    this.#calls.add(call);
    void call.finally(() => this.#calls.delete(call)).catch(() => undefined);
    return call;
  }

  async #call(mode: CallContext["mode"], input: StagecraftConfig | string, options: RunCallOptions & { preview?: boolean }, resolve: CallContext["resolve"] | undefined, oneShot: boolean): Promise<RunReport> {
    // The same variables load the config and give each database its URL.
    const env = options.envFile === undefined ? options.env ?? process.env : withEnvFile(options.env ?? process.env, options.envFile);
    const config = typeof input === "string"
      ? await loadConfig(input, { ...(options.environment === undefined ? {} : { environment: options.environment }), env })
      : input;
    return execute(mode, config, { ...options, env }, this.#pool, { aloneThreads: this.#options.aloneThreads, oneShot, threadsChosen: this.#threadsChosen }, resolve);
  }
}

/** Creates a {@link Runner}: `await using runner = createRunner({ maxThreads: 8 })`. */
export function createRunner(options: RunnerOptions = {}): Runner {
  return new Runner(options);
}

export function runOptionsProblem(options: RunCallOptions): StagecraftError | undefined {
  if (options.direction === "down" && !((options.steps ?? 0) >= 1) && options.to === undefined) {
    return new StagecraftError("invalid_config", "reverting needs steps ≥ 1 (how many migrations to revert per database) or a target (to)");
  }
  return undefined;
}

export function baselineOptionsProblem(options: BaselineCallOptions): StagecraftError | undefined {
  if (typeof options.to !== "string" || options.to.trim() === "") {
    return new StagecraftError("invalid_config", "a baseline needs the migration ID to record up to (to), as the plan lists it");
  }
  return undefined;
}

/** The call options of a baseline: `to` bounds it, `plan` makes it a preview; nothing is linted (no SQL runs). */
export function baselineCall<T extends BaselineCallOptions>(options: T): Omit<T, "plan"> & RunCallOptions & { preview?: boolean } {
  const { plan, ...rest } = options;
  const call: RunCallOptions & { preview?: boolean } = { ...(rest as BaselineCallOptions), lint: false, ...(plan === true ? { preview: true } : {}) };
  return call as Omit<T, "plan"> & typeof call;
}
