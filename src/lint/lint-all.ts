import { readEnv, type Env } from "../config/env.js";
import { withEnvFile } from "../config/env-file.js";
import { loadConfig, type DatabaseConfig, type StagecraftConfig } from "../config/load.js";
import type { Dialect } from "../drivers/driver.js";
import { serializeError } from "../errors.js";
import type { PlanAllOptions } from "../runner/options.js";
import { engineOf } from "../runner/placement.js";
import { planAll } from "../runner/run-all.js";
import { select } from "../runner/select.js";
import type { FolderLint } from "./folder-lint.js";
import { LintCache } from "./lint-cache.js";
import { LintReportBuilder, type LintReport } from "./lint-report.js";

export interface LintAllOptions extends PlanAllOptions {
  /** Lint every migration of each selected database's folder instead of its pending ones: nothing connects. @default false */
  all?: boolean;
  /**
   * With `all`: the dialect of databases whose URL is not set, when their folder does not name
   * one (Prisma's migration_lock.toml and drizzle-kit's journal do).
   */
  dialect?: Dialect;
}

/**
 * Lints the migrations of the selected databases (docs/lint.md): the pending ones, read with
 * {@link planAll} (which connects), or with `all` every one, read from the folders alone. Each
 * folder is linted once per engine config and dialect, however many databases share it. Resolves
 * to a report; a database whose state or folder cannot be read is `failed` in it.
 *
 * @example
 * const report = await lintAll("stagecraft.yml", { all: true });
 * for (const f of report.findings) console.log(`${f.file}:${f.line} ${f.rule}: ${f.message}`);
 */
export async function lintAll(input: StagecraftConfig | string, options: LintAllOptions = {}): Promise<LintReport> {
  const env: Env = options.envFile === undefined ? options.env ?? process.env : withEnvFile(options.env ?? process.env, options.envFile);
  const config = typeof input === "string" ? await loadConfig(input, { ...(options.environment === undefined ? {} : { environment: options.environment }), env }) : input;
  const cache = new LintCache(config.lint, config.dir);
  const builder = new LintReportBuilder(options.all ? "all" : "pending");
  const lintOne = async (db: DatabaseConfig, dialect: Dialect | undefined, pending: readonly string[] | undefined): Promise<void> => {
    const engine = engineOf(db);
    if (!LintCache.reads(engine)) {
      builder.notLinted(db.name, db.engine, `engine ${db.engine} has no SQL sources to read (its migrations are code, or it does not implement sources())`);
      return;
    }
    let folder: FolderLint;
    try {
      folder = await cache.folder(db, engine, dialect);
    } catch (error) {
      builder.failed(db.name, db.engine, { ...serializeError(error), database: db.name }, dialect);
      return;
    }
    builder.linted(db.name, db.engine, folder.dialect, pending?.length ?? folder.ids.length, folder.findings(pending));
  };
  if (options.all) {
    for (const db of select(config, options)) {
      const url = db.url ?? readEnv(env, db.connectionEnv);
      await lintOne(db, (url === undefined || url === "" ? undefined : cache.dialectOf(url)) ?? options.dialect, undefined);
    }
    return builder.build();
  }
  const { envFile: _envFile, all: _all, dialect: _dialect, ...planOptions } = options;
  const plan = await planAll(config, { ...planOptions, env, lint: false });
  const byName = new Map(config.databases.map((db) => [db.name, db]));
  for (const report of plan.databases) {
    const db = byName.get(report.name)!;
    if (report.status !== "planned" || report.error) {
      builder.failed(db.name, db.engine, report.error ?? { kind: "cancelled", message: `database ${db.name}: ${report.status}` });
      continue;
    }
    const url = db.url ?? readEnv(env, db.connectionEnv) ?? "";
    await lintOne(db, cache.dialectOf(url), report.migrations.filter((m) => !m.applied).map((m) => m.id));
  }
  return builder.build();
}
