import { existsSync } from "node:fs";
import { join } from "node:path";
import { DIALECT_TRAITS } from "../../drivers/dialect-traits.js";
import type { Dialect } from "../../drivers/driver.js";
import type { SourceOptions, SqlSources } from "../../registry/sql-sources.js";
import { readSourceFile } from "../shared/source-cache.js";
import { sourceDialect, toolDialect } from "../shared/source-dialect.js";
import { readDrizzleConfig } from "./settings.js";
import { detectFormat, drizzleScript, readDrizzleMigrations, type DrizzleFormat } from "./drizzle-source.js";

/**
 * Every migration with its `--> statement-breakpoint` chunks and the transaction it runs in
 * (see drizzle-engine.ts `applyOne`/`applyAll`): its own with its row, the run's one under
 * `transaction_mode: all`, or none on MySQL and for opted-out files.
 */
export async function sources(opts: SourceOptions): Promise<SqlSources> {
  const config = readDrizzleConfig(opts.config);
  const format = detectFormat(opts.migrationPath, config.format);
  const { migrations, warnings } = await readDrizzleMigrations(opts.migrationPath, format);
  const dialect = sourceDialect(opts, opts.dialect ?? folderDialect(opts.migrationPath, format, migrations[0]?.id), "drizzle");
  const { transactionalDdl } = DIALECT_TRAITS[dialect];
  return {
    dialect,
    migrations: migrations.map((m) => {
      const { chunks } = drizzleScript(m);
      const transaction = !transactionalDdl || m.noTransaction ? "none" : config.transaction_mode === "all" ? "run" : "migration";
      return { id: m.id, file: m.file, script: m.script, ...(chunks ? { chunks } : {}), transaction };
    }),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** drizzle-kit writes the dialect into the journal (0.x) and into each folder's snapshot.json (1.0). */
function folderDialect(dir: string, format: DrizzleFormat, firstId: string | undefined): Dialect | undefined {
  const file = format === "journal" ? join(dir, "meta", "_journal.json") : firstId === undefined ? undefined : join(dir, firstId, "snapshot.json");
  if (file === undefined || !existsSync(file)) return undefined;
  try {
    const value = (JSON.parse(readSourceFile(file)) as { dialect?: unknown }).dialect;
    return typeof value === "string" ? toolDialect(value) : undefined;
  } catch {
    return undefined;
  }
}
