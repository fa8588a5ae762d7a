import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import knexFactory, { type Knex } from "knex";
import { StagecraftError } from "../../errors.js";
import type { Dialect } from "../../drivers/driver.js";
import { openDriver } from "../../drivers/open-driver.js";
import type { Migration, PlanOptions, PlanResult, ResolveOptions, RunOptions, RunResult } from "../../registry/engine.js";
import { toIsoUtc } from "../shared/iso-time.js";
import { checkTarget, downTargets, markActions, previewTarget, upTargets, type Target } from "../shared/run-target.js";
import { describeId } from "../shared/sql-migration.js";
import { withLock } from "../shared/with-lock.js";
import type { KnexConfig } from "./config.js";
import { readKnexConfig } from "./settings.js";
import { applyInTransaction, runMigrations, runsInOneTransaction, type ApplyContext, type Loaded } from "./knex-apply.js";
import { knexClientConfig, knexConnectError } from "./knex-client.js";
import { peerMissing } from "../../drivers/peer-dependency.js";
import { inLockedTransaction, takeKnexLock } from "./knex-lock.js";
import { pathOf, readKnexSource, type KnexFile, type KnexSource } from "./knex-source.js";
import { KnexTables, type KnexMarker, type KnexRow } from "./knex-tables.js";

const require = createRequire(import.meta.url);
// knex's own table creation, so knex_migrations and its lock table are exactly knex's.
const { ensureTable } = require("knex/lib/migrations/migrate/table-creator.js") as { ensureTable(table: string, schema: string | undefined, knex: Knex): Promise<unknown> };

interface State {
  source: KnexSource;
  rows: KnexRow[];
  /** Markers of attempts outside a transaction that did not finish: they block. */
  unfinished: KnexMarker[];
  /** Markers whose migration has its row: the runner died between the two; the next run clears them. */
  stale: KnexMarker[];
  blocked?: StagecraftError;
}

export async function plan(opts: PlanOptions): Promise<PlanResult> {
  const config = readKnexConfig(opts.config);
  const { dialect, location } = knexClientConfig(opts, true);
  // A SQLite file that does not exist is an empty database; opening it would create it.
  if (dialect === "sqlite" && location !== ":memory:" && !existsSync(location)) {
    const source = await readKnexSource(config, opts);
    return finishPlan({ source, rows: [], unfinished: [], stale: [] }, opts);
  }
  return withKnex(opts, true, async (knex) => finishPlan(await readState(knex, new KnexTables(config), config, opts), opts));
}

function finishPlan(state: State, opts: PlanOptions): PlanResult {
  const target = previewTarget(opts);
  let touched = new Set<string>();
  if (target && !state.blocked) touched = new Set(targets(state, target, opts).map((f) => f.file));
  return { migrations: markActions(planOf(state), target, touched), warnings: state.source.warnings, ...(state.blocked ? { blocked: state.blocked } : {}) };
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const config = readKnexConfig(opts.config);
  const target: Target = { direction: opts.direction, steps: opts.steps, to: opts.to };
  checkTarget(target);
  return withKnexSession(opts, config, async (knex, tables, transactionalDdl) => {
    for (;;) {
      const state = await readState(knex, tables, config, opts);
      // Complete migrations whose runner died before it cleared their mark: clear it now.
      for (const marker of state.stale) await tables.unmark(knex, marker.name);
      if (state.blocked) throw state.blocked;
      const todo = await loadAll(state.source, targets(state, target, opts), opts, config);
      const ctx: ApplyContext = { knex, tables, config, opts, transactionalDdl, translate: (error, file) => translate(error, file, opts, config) };
      const outcome = runsInOneTransaction(todo, config, transactionalDdl) ? await runWhole(ctx, state, todo) : await runEach(ctx, state, todo);
      // A knex run changed knex_migrations between our read and its lock row: read it again.
      if (outcome === undefined) continue;
      // Nothing else changes in a run that succeeds: marks of its own are cleared, others block it.
      const after: State = { ...state, rows: outcome.rows, unfinished: [], stale: [] };
      return { ...outcome.result, migrations: planOf(after), warnings: state.source.warnings };
    }
  });
}

interface Outcome {
  result: RunResult;
  /** knex_migrations after the run, read in the run's own transaction or lock. */
  rows: KnexRow[];
}

/**
 * The run as knex's `latest()` makes it: one transaction that makes sure of knex's tables, takes
 * knex's lock row, re-reads knex_migrations, runs every migration with its row and frees the row.
 * A fresh database commits once; one with nothing to run is not written to.
 */
async function runWhole(ctx: ApplyContext, state: State, todo: Loaded[]): Promise<Outcome | undefined> {
  const { knex, tables, config, opts } = ctx;
  if (todo.length === 0 && (await tables.has(knex, config.tableName)) && (await tables.has(knex, tables.lockTableName))) return { result: { applied: [] }, rows: state.rows };
  const outcome = await inLockedTransaction(knex, tables, (trx) => ensureTable(config.tableName, config.schemaName, trx), opts, async (trx) => {
    const rows = await tables.completed(trx);
    if (!sameRows(rows, state.rows)) return undefined;
    const batch = opts.direction === "up" ? (await tables.latestBatch(trx)) + 1 : 0;
    const { held, ...result } = await applyInTransaction(ctx, trx, todo, batch);
    return { result, held, rows: result.applied.length === 0 ? rows : await tables.completed(trx) };
  });
  if (outcome === undefined) return undefined;
  // Nothing counts as applied until the one transaction commits.
  for (const event of outcome.held) opts.onProgress?.(event);
  return { result: outcome.result, rows: outcome.rows };
}

/** Each migration on its own (MySQL, opted-out migrations), holding knex's lock row for the run as a committed row. */
async function runEach(ctx: ApplyContext, state: State, todo: Loaded[]): Promise<Outcome | undefined> {
  const { knex, tables, config, opts } = ctx;
  await ensureTable(config.tableName, config.schemaName, knex);
  const release = await takeKnexLock(knex, tables, opts);
  try {
    const rows = await tables.completed(knex);
    if (!sameRows(rows, state.rows)) return undefined;
    const batch = opts.direction === "up" ? (await tables.latestBatch(knex)) + 1 : 0;
    const result = await runMigrations(ctx, todo, batch);
    return { result, rows: result.applied.length === 0 ? rows : await tables.completed(knex) };
  } finally {
    // A release that fails leaves our record beside the row: the next run frees it.
    await release().catch(() => undefined);
  }
}

function sameRows(a: KnexRow[], b: KnexRow[]): boolean {
  return a.length === b.length && a.every((row, i) => row.id === b[i]!.id && row.name === b[i]!.name);
}

/** `applied`: record a failed or never-run migration as applied. `rolled-back`: forget a failed attempt. */
export async function resolve(opts: ResolveOptions): Promise<void> {
  const config = readKnexConfig(opts.config);
  await withKnexLocked(opts, config, async (knex, tables) => {
    const name = opts.migration;
    const marked = (await tables.markers(knex)).some((m) => m.name === name);
    const recorded = (await tables.completed(knex)).some((r) => r.name === name);
    if (opts.action === "rolled-back") {
      if (!marked) throw new StagecraftError("invalid_config", `migration ${name} has no failed attempt to roll back`, { migration: name });
      if (recorded) {
        throw new StagecraftError("invalid_config", `migration ${name} ran to the end and is recorded in ${config.tableName} (its runner died before clearing the unfinished mark); it cannot be rolled back`, {
          migration: name, hint: `\`--applied ${name}\` clears the mark (the next run clears it too); revert it with \`stagecraft migrate --down\``,
        });
      }
      await tables.unmark(knex, name);
      return;
    }
    if (recorded && !marked) throw new StagecraftError("invalid_config", `migration ${name} is already recorded as applied`, { migration: name });
    if (!recorded) {
      const { files } = await readKnexSource(config, opts);
      if (!files.some((f) => f.file === name)) throw new StagecraftError("invalid_config", `no knex migration ${name} in ${opts.migrationPath}`, { migration: name, hint: "name the file with its extension, as knex records it" });
      await tables.record(knex, name, (await tables.latestBatch(knex)) + 1);
    }
    await tables.unmark(knex, name);
  });
}

/**
 * Opens knex, takes stagecraft's session lock (second connection; on SQLite the lock file) and
 * knex's lock row, makes sure knex's tables exist (knex's own DDL), runs `fn`, releases both.
 */
export async function withKnexLocked<T>(opts: PlanOptions, config: KnexConfig, fn: (knex: Knex, tables: KnexTables, transactionalDdl: boolean) => Promise<T>): Promise<T> {
  return withKnexSession(opts, config, async (knex, tables, transactionalDdl) => {
    await ensureTable(config.tableName, config.schemaName, knex);
    const release = await takeKnexLock(knex, tables, opts);
    let result: T;
    try {
      result = await fn(knex, tables, transactionalDdl);
    } catch (error) {
      // A release that fails leaves our record beside the row: the next run frees it.
      await release().catch(() => undefined);
      throw error;
    }
    await release().catch(() => undefined);
    return result;
  });
}

/** Opens knex and takes stagecraft's session lock (second connection; on SQLite the lock file), runs `fn`, releases. */
async function withKnexSession<T>(opts: PlanOptions, config: KnexConfig, fn: (knex: Knex, tables: KnexTables, transactionalDdl: boolean) => Promise<T>): Promise<T> {
  return withKnex(opts, false, async (knex) => {
    const session = await openDriver(opts);
    try {
      return await withLock(session, { name: `knex:${config.schemaName ?? ""}.${config.tableName}`, label: `knex:${config.schemaName ? `${config.schemaName}.` : ""}${config.tableName}` }, opts, () => fn(knex, new KnexTables(config), session.transactionalDdl));
    } finally {
      await session.close();
    }
  });
}

export async function readState(knex: Knex, tables: KnexTables, config: KnexConfig, opts: PlanOptions): Promise<State> {
  const source = await readKnexSource(config, opts);
  const rows = await tables.completed(knex);
  const recorded = new Set(rows.map((r) => r.name));
  const markers = await tables.markers(knex);
  const unfinished = markers.filter((m) => !recorded.has(m.name));
  const stale = markers.filter((m) => recorded.has(m.name));
  const state: State = { source, rows, unfinished, stale };
  const first = unfinished[0];
  const files = new Set(source.files.map((f) => f.file));
  const gone = rows.filter((r) => !files.has(r.name)).map((r) => r.name);
  if (first) {
    state.blocked = new StagecraftError("migration_failed", `knex migration ${first.name} started at ${first.startedAt} outside a transaction and did not finish${first.error ? `: ${first.error}` : " (the runner died)"}; it may be partly applied`, {
      migration: first.name,
      hint: `inspect the database, finish or undo it by hand, then run \`stagecraft migrate resolve --database ${opts.database} --applied ${first.name}\` (it is complete) or \`--rolled-back ${first.name}\` (it left nothing; the next run retries it)`,
    });
  } else if (gone.length > 0) {
    state.blocked = new StagecraftError("checksum_mismatch", `knex_migrations records migrations whose files are gone: ${gone.join(", ")}`, {
      hint: `restore the files in ${opts.migrationPath} (knex records file names with their extension), or delete their rows from ${config.tableName} if they were removed on purpose`,
    });
  }
  return state;
}

/** Every file with its state, in knex's order; failed attempts of files that are gone come last. */
export function planOf(state: State): Migration[] {
  const rows = new Map(state.rows.map((r) => [r.name, r]));
  const failed = new Map(state.unfinished.map((m) => [m.name, m]));
  const entry = (name: string): Migration => {
    const description = describeId(stripExtension(name));
    const row = rows.get(name);
    if (row) {
      const appliedAt = toIsoUtc(row.time);
      return { id: name, description, applied: true, state: "applied", ...(appliedAt ? { appliedAt } : {}) };
    }
    const attempt = failed.get(name);
    if (attempt) {
      const startedAt = toIsoUtc(attempt.startedAt);
      return { id: name, description, applied: false, state: "failed", ...(startedAt ? { startedAt } : {}), ...(attempt.error ? { error: attempt.error } : {}) };
    }
    return { id: name, description, applied: false, state: "pending" };
  };
  const known = new Set(state.source.files.map((f) => f.file));
  return [...state.source.files.map((f) => entry(f.file)), ...state.unfinished.filter((m) => !known.has(m.name)).map((m) => entry(m.name))];
}

/** Files a run with `target` touches: pending ones in knex's order (up), applied ones newest first (down). */
function targets(state: State, target: Target, opts: PlanOptions): KnexFile[] {
  const recorded = new Set(state.rows.map((r) => r.name));
  if (target.direction === "up") return upTargets(state.source.files.map((f) => ({ ...f, id: f.file })), (f) => recorded.has(f.file), target, opts.migrationPath);
  const byName = new Map(state.source.files.map((f) => [f.file, f]));
  const newestFirst = [...state.rows].reverse().map((r) => ({ id: r.name, file: byName.get(r.name)! }));
  return downTargets(newestFirst, target, opts.migrationPath, [...byName.keys()]).map((t) => t.file);
}

/** Migration modules this thread has loaded: every database of a fleet loads the same ones. */
const loadedInThisThread = new Set<string>();

/**
 * Loads every module a run needs before running any, as knex does: a module that does not load
 * or lacks `up`/`down` fails the run with nothing applied.
 */
async function loadAll(source: KnexSource, files: KnexFile[], opts: RunOptions, config: KnexConfig): Promise<Loaded[]> {
  const loaded: Loaded[] = [];
  for (const file of files) {
    let module;
    const path = pathOf(file);
    try {
      // A module may end the thread while it loads (process.exit): say which one first. Once it
      // has loaded in this thread, loading it again is a lookup in Node's module cache that runs
      // none of its code (an edited file too: knex's Migrator would not reload it either).
      if (!loadedInThisThread.has(path)) opts.onProgress?.({ type: "engine:step", step: "loading migration module", migration: file.file, file: path });
      module = await source.load(file);
      loadedInThisThread.add(path);
    } catch (error) {
      throw translate(error, file.file, opts, config);
    }
    if (typeof module?.up !== "function" || typeof module?.down !== "function") {
      throw new StagecraftError("invalid_config", `knex migration ${file.file} must export both up and down functions; nothing was applied`, { migration: file.file, file: path, hint: "add the missing function" });
    }
    loaded.push({ file, module });
  }
  return loaded;
}

async function withKnex<T>(opts: PlanOptions, readOnly: boolean, fn: (knex: Knex, dialect: Dialect) => Promise<T>): Promise<T> {
  const { config, dialect, location } = knexClientConfig(opts, readOnly);
  // As stagecraft's SQLite driver does: a run may create the database, so it creates its folder too.
  if (dialect === "sqlite" && !readOnly && location !== ":memory:") mkdirSync(dirname(location), { recursive: true });
  const knex = createKnex(config);
  try {
    await knex.raw("SELECT 1").catch((error: unknown) => {
      throw knexConnectError(opts, error);
    });
    return await fn(knex, dialect);
  } finally {
    await knex.destroy();
  }
}

/** knex requires its dialect's client when created; a missing one is `dependency_missing` naming it. */
function createKnex(config: Knex.Config): Knex {
  try {
    return knexFactory(config);
  } catch (error) {
    // knex rethrows the require failure as "Knex: run $ npm install pg --save\nCannot find module 'pg' …".
    const client = String(config.client);
    throw String((error as Error)?.message).includes(`Cannot find module '${client}'`) ? peerMissing(client, `knex's ${client} client`, error) : error;
  }
}

function translate(error: unknown, current: string | undefined, opts: PlanOptions, config: KnexConfig): StagecraftError {
  if (error instanceof StagecraftError) return error;
  const message = (error as Error)?.message ?? String(error);
  const corrupt = /The migration directory is corrupt, the following files are missing: (.*)$/.exec(message);
  if (corrupt) {
    return new StagecraftError("checksum_mismatch", `knex_migrations records migrations whose files are gone: ${corrupt[1]}`, {
      hint: `restore the files in ${opts.migrationPath} (knex records file names with their extension), or delete their rows from ${config.tableName} if they were removed on purpose`,
    });
  }
  const invalid = /Invalid migration: (.*) must have both an up and down function/.exec(message);
  if (invalid) {
    return new StagecraftError("invalid_config", `knex migration ${invalid[1]} must export both up and down functions; nothing was applied`, { migration: invalid[1]!, hint: "add the missing function" });
  }
  // A module that does not load: Node puts `file:line` of a syntax error first in the stack;
  // import() (knex's loader in a "type": "module" project) names the file in its message instead.
  const where = /^(\/[^\n]+?):(\d+)\n/.exec(String((error as Error)?.stack ?? ""));
  const unknownExtension = /^Unknown file extension "\.\w+" for (.+)$/.exec(message)?.[1];
  const broken = where?.[1] ?? unknownExtension ?? (current !== undefined ? join(opts.migrationPath, current) : undefined);
  if (broken?.endsWith(".ts") && /SyntaxError|Unknown file extension|Cannot use import statement|Unexpected token|ERR_UNKNOWN_FILE_EXTENSION/.test(`${(error as Error)?.name} ${message}`)) {
    return new StagecraftError("dependency_missing", `TypeScript migration ${broken} cannot be loaded: this Node.js process has no TypeScript loader; nothing was applied`, {
      migration: basename(broken), file: broken, hint: "compile the migrations to .js, or run stagecraft with a loader (node --import tsx …)",
    });
  }
  if (where && (error as Error)?.name === "SyntaxError") {
    return new StagecraftError("migration_failed", `${where[1]}:${where[2]}: SyntaxError: ${message}; nothing was applied`, {
      migration: basename(where[1]!), file: where[1]!, line: Number(where[2]),
    });
  }
  const prefix = current === undefined ? "" : `${join(opts.migrationPath, current)}: `;
  return new StagecraftError("migration_failed", `${prefix}${message}`, {
    ...(current === undefined ? {} : { migration: current }),
    ...(typeof (error as { code?: unknown }).code === "string" ? { driverCode: (error as { code: string }).code } : {}),
  });
}

function stripExtension(file: string): string {
  return file.replace(/\.[^.]+$/, "");
}
