import { DIALECT_TRAITS } from "../../drivers/dialect-traits.js";
import type { SourceOptions, SourceTransaction, SqlSources } from "../../registry/sql-sources.js";
import { sourceDialect } from "../shared/source-dialect.js";
import { readRawConfig } from "./settings.js";
import { readRawMigrations } from "./raw-source.js";

/**
 * Every up file with the transaction it runs in (see raw-apply.ts): its own with its row; the
 * run's one transaction under `transaction_mode: all`; none on MySQL or for an opted-out file.
 * Down files are not listed: nothing reads them offline.
 */
export async function sources(opts: SourceOptions): Promise<SqlSources> {
  const config = readRawConfig(opts.config);
  const dialect = sourceDialect(opts, undefined, "raw");
  const { files, warnings } = readRawMigrations(opts.migrationPath);
  const { transactionalDdl } = DIALECT_TRAITS[dialect];
  const transaction = (noTransaction: boolean): SourceTransaction => (!transactionalDdl || noTransaction ? "none" : config.transaction_mode === "all" ? "run" : "migration");
  return {
    dialect,
    migrations: files.map((file) => ({ id: file.id, file: file.file, script: file.script, transaction: transaction(file.noTransaction) })),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
