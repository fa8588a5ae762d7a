import { join } from "node:path";
import type { CheckIssue, CheckOptions } from "../../registry/engine-offline.js";
import { checkSources, errorIssue } from "../shared/check-sources.js";
import { toolDialect } from "../shared/source-dialect.js";
import { readLockProvider } from "./prisma-source.js";
import { sources } from "./prisma-sources.js";

/**
 * `stagecraft validate` for Prisma Migrate folders: `migration_lock.toml`'s provider against the
 * database's URL (Prisma's P3019, found before connecting), folders without `migration.sql`,
 * and every script parses.
 */
export async function check(opts: CheckOptions): Promise<CheckIssue[]> {
  let provider: string | undefined;
  try {
    provider = readLockProvider(opts.migrationPath);
  } catch (error) {
    return [errorIssue(error)];
  }
  if (provider !== undefined && opts.dialect !== undefined && toolDialect(provider) !== opts.dialect) {
    const file = join(opts.migrationPath, "migration_lock.toml");
    return [{
      severity: "error",
      code: "provider_mismatch",
      message: `${file}: migration_lock.toml says provider = "${provider}" but database ${opts.database}'s URL is ${opts.dialect} (Prisma's P3019)`,
      file,
      hint: "point the database at the right migrations folder; Prisma migrations are written for one provider",
    }];
  }
  return checkSources(() => sources({ config: opts.config, migrationPath: opts.migrationPath, ...(opts.dialect ? { dialect: opts.dialect } : {}) }));
}
