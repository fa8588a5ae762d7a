// Public API of stagecraft. Importing it registers the built-in engines.
import "./engines/builtin.js";

export { Registry } from "./registry/registry.js";
export { defaultRegistry, get, has, ids, register } from "./registry/default-registry.js";
export type { Engine, Migration, MigrationProgress, MigrationState, PlanOptions, PlanResult, PlanWarning, ResolveOptions as EngineResolveOptions, RunOptions, RunResult, StatedMigration } from "./registry/engine.js";
export { ERROR_KINDS, StagecraftError, deserializeError, isStagecraftError, serializeError } from "./errors.js";
export type { ErrorContext, ErrorKind, SerializedError } from "./errors.js";
export { ConfigError, formatConfigIssue, formatConfigIssues } from "./config/config-error.js";
export type { ConfigIssue } from "./config/config-error.js";
export { loadConfig, parseConfig } from "./config/load.js";
export type { DatabaseConfig, LoadConfigOptions, StagecraftConfig } from "./config/load.js";
export { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STRATEGY, STRATEGIES } from "./config/schema.js";
export type { Strategy } from "./config/schema.js";
export { planAll, resolveMigration, runAll, DEFAULT_PER_SERVER_LIMIT, DEFAULT_WORKER_MEMORY_MB } from "./runner/run-all.js";
export type { PlanAllOptions, ResolveOptions, RunAllOptions } from "./runner/run-all.js";
export { Runner, createRunner } from "./runner/runner.js";
export type { PlanCallOptions, ResolveCallOptions, RunCallOptions, RunnerOptions } from "./runner/options.js";
export { DEFAULT_IDLE_TIMEOUT_MS, IN_PROCESS_MAX_DATABASES, defaultAloneThreads, defaultSharedThreads } from "./runner/placement.js";
export { PLUGIN_IMPORT_TIMEOUT_MS } from "./config/plugins.js";
export type { DatabaseReport, DatabaseStatus, ReportedMigration, RunReport } from "./runner/report.js";
export type { RunnerEvents, RunnerListeners } from "./runner/events.js";
export { redactUrl } from "./drivers/url.js";
