import { createRequire } from "node:module";
import { basename, join, resolve } from "node:path";
import knexFactory, { type Knex } from "knex";
import { StagecraftError } from "../../errors.js";
import { backoff } from "../../drivers/lock-key.js";
import type { Dialect } from "../../drivers/driver.js";
import type { Migration, PlanOptions, RunOptions, RunResult } from "../../registry/engine.js";
import { describeId } from "../shared/sql-migration.js";
import { knexConfigSchema, type KnexConfig } from "./config.js";
import { EXCLUSIVE_BEGIN, knexClientConfig } from "./knex-client.js";
import { openDriver } from "../../drivers/open-driver.js";

interface FsMigration {
  file: string;
  directory: string;
}
interface FsMigrationsClass {
  new (dirs: string[], sortDirsSeparately: boolean, loadExtensions: readonly string[] | undefined): { getMigrations(ext?: readonly string[]): Promise<FsMigration[]>; getMigration(m: FsMigration): Promise<Knex.Migration> };
}

const require = createRequire(import.meta.url);
// knex's own file source, so files are found and sorted exactly as knex finds and sorts them.
const { FsMigrations } = require("knex/lib/migrations/migrate/sources/fs-migrations.js") as { FsMigrations: FsMigrationsClass };
const { DEFAULT_LOAD_EXTENSIONS } = require("knex/lib/migrations/common/MigrationsLoader.js") as { DEFAULT_LOAD_EXTENSIONS: readonly string[] };
const { ensureTable } = require("knex/lib/migrations/migrate/table-creator.js") as { ensureTable(table: string, schema: string | undefined, knex: Knex): Promise<unknown> };

export async function plan(opts: PlanOptions): Promise<Migration[]> {
  const config = knexConfigSchema.parse(opts.config);
  return withKnex(opts, async (knex) => {
    const migrator = migratorConfig(config, opts);
    if (!(await hasTable(knex, config))) {
      const files = await new FsMigrations(migrator.directory, config.sortDirsSeparately, config.loadExtensions).getMigrations(migrator.loadExtensions);
      return files.map((f) => ({ id: f.file, description: describeId(stripExtension(f.file)), applied: false }));
    }
    const [completed, pending] = (await knex.migrate.list(migrator).catch((error: unknown) => {
      throw translate(error, undefined, opts, config);
    })) as [({ name: string } | string)[], FsMigration[]];
    const times = new Map((await table(knex, config).select("name", "migration_time").orderBy("id")).map((r: { name: string; migration_time: unknown }) => [r.name, r.migration_time]));
    return [
      ...completed.map((c) => {
        const name = typeof c === "string" ? c : c.name;
        const at = toIso(times.get(name));
        return { id: name, description: describeId(stripExtension(name)), applied: true, ...(at ? { appliedAt: at } : {}) };
      }),
      ...pending.map((p) => ({ id: p.file, description: describeId(stripExtension(p.file)), applied: false })),
    ];
  });
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const config = knexConfigSchema.parse(opts.config);
  if (opts.direction === "down" && opts.steps < 1) throw new StagecraftError("invalid_config", "reverting needs steps ≥ 1");
  return withKnex(opts, async (knex, dialect) => {
    // Two runners must not both create knex's tables (one fails, or two lock rows break knex):
    // hold stagecraft's own lock for the run (a second, idle connection on PostgreSQL/MySQL).
    const lockSession = await openDriver(opts);
    try {
      const lock = await lockSession.lock({ name: `knex:${config.schemaName ?? ""}.${config.tableName}` }, opts.lockTimeoutMs);
      try {
        await ensureKnexTables(knex, config, EXCLUSIVE_BEGIN[dialect]);
        return await runLocked(knex, config, opts);
      } finally {
        await lock.release().catch(() => undefined);
      }
    } finally {
      await lockSession.close();
    }
  });
}

/** knex's own table creation, made exclusive where no server lock protects it. */
async function ensureKnexTables(knex: Knex, config: KnexConfig, exclusiveBegin: string | undefined): Promise<void> {
  if (exclusiveBegin === undefined) {
    await ensureTable(config.tableName, config.schemaName, knex);
    return;
  }
  await knex.raw(exclusiveBegin);
  try {
    await ensureTable(config.tableName, config.schemaName, knex);
    await knex.raw("COMMIT");
  } catch (error) {
    await knex.raw("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

async function runLocked(knex: Knex, config: KnexConfig, opts: RunOptions): Promise<RunResult> {
  let current: string | undefined;
  const started = new Set<string>();
  const { directory, sortDirsSeparately, loadExtensions, ...rest } = migratorConfig(config, opts);
  const migrator = {
    ...rest,
    migrationSource: reportingSource(new FsMigrations(directory, sortDirsSeparately, loadExtensions), loadExtensions, opts),
    beforeEach: async (_trx: unknown, [migration]: unknown[]) => {
      current = (migration as FsMigration | undefined)?.file;
      if (current) {
        started.add(current);
        opts.onProgress?.({ type: "migration:start", migration: current });
      }
    },
  };
  const done: string[] = [];
  const before = await completedNames(knex, config);
  // knex's default mode runs the whole batch in one transaction: report a migration as
  // applied only once knex returns, and after a failure only what the table really holds.
  const step = async (call: () => Promise<[number, string[]]>): Promise<string[]> => {
    const [, log] = await withLockRetry(call, opts, config);
    for (const name of log) opts.onProgress?.({ type: "migration:applied", migration: name, durationMs: 0 });
    done.push(...log);
    return log;
  };
  try {
    if (opts.direction === "up" && opts.steps === 0) await step(() => knex.migrate.latest(migrator));
    else {
      for (let i = 0; i < opts.steps; i++) {
        if (opts.signal.aborted) return { applied: done, cancelled: true };
        const log = await step(() => (opts.direction === "up" ? knex.migrate.up(migrator) : knex.migrate.down(migrator)));
        if (log.length === 0) break;
      }
    }
  } catch (error) {
    if (opts.direction === "up") {
      // Applied by this run: started here and recorded now (knex may have committed some).
      const after = await completedNames(knex, config).catch(() => before);
      for (const name of started) if (after.has(name) && !before.has(name) && !done.includes(name)) opts.onProgress?.({ type: "migration:applied", migration: name, durationMs: 0 });
    }
    throw translate(error, current ?? (await unloadableSuspect(error, knex, config, opts)), opts, config);
  }
  return { applied: done };
}

/**
 * knex loads every pending module before running any; when one fails to parse, Node (which may
 * compile it as an ES module) does not always say which. A pending `.ts` file is the suspect.
 */
async function unloadableSuspect(error: unknown, knex: Knex, config: KnexConfig, opts: PlanOptions): Promise<string | undefined> {
  if ((error as Error)?.name !== "SyntaxError" || /^\//.test(String((error as Error).stack))) return undefined;
  const migrator = migratorConfig(config, opts);
  const files = await new FsMigrations(migrator.directory, config.sortDirsSeparately, config.loadExtensions).getMigrations(migrator.loadExtensions);
  const done = await completedNames(knex, config).catch(() => new Set<string>());
  return files.find((f) => f.file.endsWith(".ts") && !done.has(f.file))?.file;
}

/** knex's own file source, reporting each module before loading it: a module that ends the thread is then named. */
function reportingSource(fs: InstanceType<FsMigrationsClass>, loadExtensions: readonly string[], opts: RunOptions) {
  return {
    getMigrations: () => fs.getMigrations(loadExtensions),
    getMigrationName: (m: FsMigration) => m.file,
    getMigration: (m: FsMigration) => {
      opts.onProgress?.({ type: "engine:step", step: "loading migration module", migration: m.file, file: join(m.directory, m.file) });
      return fs.getMigration(m);
    },
  };
}

function migratorConfig(config: KnexConfig, opts: PlanOptions) {
  return {
    directory: [opts.migrationPath, ...config.directories.map((dir) => resolve(opts.workDir, dir))],
    tableName: config.tableName,
    ...(config.schemaName === undefined ? {} : { schemaName: config.schemaName }),
    loadExtensions: config.loadExtensions ?? DEFAULT_LOAD_EXTENSIONS,
    disableTransactions: config.disableTransactions,
    sortDirsSeparately: config.sortDirsSeparately,
  };
}

async function withKnex<T>(opts: PlanOptions, fn: (knex: Knex, dialect: Dialect) => Promise<T>): Promise<T> {
  const { config, dialect } = knexClientConfig(opts);
  const knex = knexFactory(config);
  try {
    await knex.raw("SELECT 1").catch((error: Error) => {
      throw new StagecraftError("connection_failed", `cannot connect: ${error.message}`, { hint: "check that the server is running and the URL is right" });
    });
    return await fn(knex, dialect);
  } finally {
    await knex.destroy();
  }
}

/** knex fails at once when its lock row is taken; wait for it (bounded) like the other engines do. */
async function withLockRetry<T>(call: () => Promise<T>, opts: RunOptions, config: KnexConfig): Promise<T> {
  const deadline = Date.now() + opts.lockTimeoutMs;
  const wait = backoff();
  for (;;) {
    try {
      return await call();
    } catch (error) {
      // knex's lock row is taken; or SQLite refused a write to avoid a deadlock with another
      // writer, which in knex's one-transaction mode rolled everything back: safe to try again.
      const busy = (error as { code?: unknown }).code === "SQLITE_BUSY" && !config.disableTransactions;
      if ((error as Error).name !== "MigrationLocked" && !busy) throw error;
      if (Date.now() >= deadline) {
        throw new StagecraftError("lock_timeout", `timed out after ${opts.lockTimeoutMs} ms waiting for knex's migration lock (${config.tableName}_lock.is_locked = 1)`, {
          hint: `another knex or stagecraft run holds it; if none is running, a crashed run left it: free it with \`npx knex migrate:unlock\` or \`UPDATE ${config.tableName}_lock SET is_locked = 0\``,
        });
      }
      await wait();
    }
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
  // A module that does not load: Node puts `file:line` of a syntax error first in the stack.
  const where = /^(\/[^\n]+?):(\d+)\n/.exec(String((error as Error)?.stack ?? ""));
  const broken = where?.[1] ?? (current !== undefined ? join(opts.migrationPath, current) : undefined);
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

function table(knex: Knex, config: KnexConfig): Knex.QueryBuilder {
  return config.schemaName === undefined ? knex(config.tableName) : knex.withSchema(config.schemaName).from(config.tableName);
}

async function hasTable(knex: Knex, config: KnexConfig): Promise<boolean> {
  return config.schemaName === undefined ? knex.schema.hasTable(config.tableName) : knex.schema.withSchema(config.schemaName).hasTable(config.tableName);
}

async function completedNames(knex: Knex, config: KnexConfig): Promise<Set<string>> {
  if (!(await hasTable(knex, config))) return new Set();
  return new Set((await table(knex, config).select("name")).map((r: { name: string }) => r.name));
}

function toIso(value: unknown): string | undefined {
  if (value == null) return undefined;
  const date = value instanceof Date ? value : new Date(typeof value === "number" || /^\d+$/.test(String(value)) ? Number(value) : String(value));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function stripExtension(file: string): string {
  return file.replace(/\.[^.]+$/, "");
}
