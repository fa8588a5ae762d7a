import { createRequire } from "node:module";
import { extname, join, resolve } from "node:path";
import type { PlanOptions, PlanWarning } from "../../registry/engine.js";
import { listSourceDir } from "../shared/source-dir.js";
import { emptyFolderWarning, ignoredFileWarning } from "../shared/warnings.js";
import type { KnexConfig } from "./config.js";

/** A migration file as knex's file source lists it: its name (the ID knex records) and its folder. */
export interface KnexFile {
  file: string;
  directory: string;
}

/** A loaded migration module. */
export interface KnexModule {
  up?: unknown;
  down?: unknown;
  config?: { transaction?: unknown };
}

interface FsMigrationsClass {
  new (dirs: string[], sortDirsSeparately: boolean, loadExtensions: readonly string[] | undefined): {
    getMigrations(ext?: readonly string[]): Promise<KnexFile[]>;
    getMigration(file: KnexFile): Promise<KnexModule>;
  };
}

const require = createRequire(import.meta.url);
// knex's own file source, so files are found, sorted and loaded exactly as knex does it.
const { FsMigrations } = require("knex/lib/migrations/migrate/sources/fs-migrations.js") as { FsMigrations: FsMigrationsClass };
const { DEFAULT_LOAD_EXTENSIONS } = require("knex/lib/migrations/common/MigrationsLoader.js") as { DEFAULT_LOAD_EXTENSIONS: readonly string[] };

/** Extensions of files that look like migrations: skipped with a warning when knex would not load them. */
const LOOKS_LIKE_MIGRATION = [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".sql"];

/** knex's `directory` list: `path` first, then `directories` (relative to the config file). */
export function directories(config: KnexConfig, opts: PlanOptions): string[] {
  return [opts.migrationPath, ...config.directories.map((dir) => resolve(opts.workDir, dir))];
}

export function loadExtensions(config: KnexConfig): readonly string[] {
  return config.loadExtensions ?? DEFAULT_LOAD_EXTENSIONS;
}

export interface KnexSource {
  files: KnexFile[];
  warnings: PlanWarning[];
  load(file: KnexFile): Promise<KnexModule>;
}

/** The migration files of every folder, in knex's order, with what knex would skip as warnings. */
export async function readKnexSource(config: KnexConfig, opts: PlanOptions): Promise<KnexSource> {
  const dirs = directories(config, opts);
  const extensions = loadExtensions(config);
  const warnings: PlanWarning[] = [];
  for (const dir of dirs) {
    for (const entry of listSourceDir(dir)) {
      const ext = extname(entry.name);
      if (entry.kind !== "dir" && LOOKS_LIKE_MIGRATION.includes(ext) && !extensions.includes(ext)) {
        warnings.push(ignoredFileWarning(entry.path, ext === ".sql" ? "knex runs JavaScript/TypeScript modules, not .sql files" : `${ext} is not in loadExtensions (${extensions.join(", ")}); add it to load the file`));
      }
    }
  }
  const source = new FsMigrations(dirs, config.sortDirsSeparately, extensions);
  const files = await source.getMigrations(extensions);
  if (files.length === 0) warnings.unshift(emptyFolderWarning(dirs.join(", "), "knex migration modules"));
  return { files, warnings, load: (file) => source.getMigration(file) };
}

/** Where a migration file is, for messages. */
export function pathOf(file: KnexFile): string {
  return join(file.directory, file.file);
}
