import { DIALECT_TRAITS } from "../../drivers/dialect-traits.js";
import type { SourceOptions, SqlSources } from "../../registry/sql-sources.js";
import { sourceDialect, toolDialect } from "../shared/source-dialect.js";
import { readLockProvider, readPrismaMigrations } from "./prisma-source.js";

/**
 * Every `migration.sql` with the transaction it runs in (see prisma-engine.ts `applyOne`): its
 * own with its row, or none on MySQL and for opted-out files. Without a URL the dialect is
 * `migration_lock.toml`'s provider.
 */
export async function sources(opts: SourceOptions): Promise<SqlSources> {
  const dialect = sourceDialect(opts, opts.dialect ?? toolDialect(readLockProvider(opts.migrationPath)), "prisma");
  const { migrations, warnings } = readPrismaMigrations(opts.migrationPath);
  const { transactionalDdl } = DIALECT_TRAITS[dialect];
  return {
    dialect,
    migrations: migrations.map((m) => ({ id: m.id, file: m.file, script: m.script, transaction: transactionalDdl && !m.noTransaction ? "migration" : "none" })),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
