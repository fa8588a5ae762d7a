import { existsSync } from "node:fs";
import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import type { PlanOptions, PlanWarning } from "../../registry/engine.js";
import { CallCache } from "../shared/call-cache.js";
import { sha256 } from "../shared/checksum.js";
import { readSourceFile } from "../shared/source-cache.js";
import { brokenLink, listSourceDir } from "../shared/source-dir.js";
import { sqlMigration, type SqlMigration } from "../shared/sql-migration.js";
import { emptyFolderWarning, ignoredFileWarning } from "../shared/warnings.js";

/** `id` is the folder name (Prisma's `migration_name`); `checksum` is sha256 of migration.sql as stored. */
export type PrismaMigration = SqlMigration;

export interface PrismaSource {
  migrations: PrismaMigration[];
  warnings: PlanWarning[];
}

/** Folders kept per call in this thread; a fleet with more distinct folders reads some again. */
const perCall = new CallCache<PrismaSource>(32);

/** The folder as this call first read it in this thread (see CallCache); read afresh outside a call. */
export function prismaSourceOf(opts: Pick<PlanOptions, "migrationPath" | "callId">): PrismaSource {
  return perCall.get(opts.callId, opts.migrationPath, () => readPrismaMigrations(opts.migrationPath));
}

/**
 * Every sub-folder of `dir` (a linked folder counts) is a migration holding `migration.sql`,
 * sorted by name as the Prisma CLI sorts them (localeCompare). A folder without the file is an
 * error, as in Prisma; a `.sql` file beside the folders is skipped with a warning.
 */
export function readPrismaMigrations(dir: string): PrismaSource {
  const entries = listSourceDir(dir);
  const broken = entries.find((e) => e.kind === "broken" && /^\d/.test(e.name));
  if (broken) throw brokenLink(broken);
  const folders = entries.filter((e) => e.kind === "dir").map((e) => e.name).sort((a, b) => a.localeCompare(b));
  const missing = folders.filter((name) => !existsSync(join(dir, name, "migration.sql")));
  if (missing.length > 0) {
    throw new StagecraftError("invalid_config", `prisma migration folder${missing.length > 1 ? "s" : ""} ${missing.map((m) => join(dir, m)).join(", ")} ha${missing.length > 1 ? "ve" : "s"} no migration.sql; nothing was applied`, {
      file: join(dir, missing[0]!), hint: "add the migration.sql, or remove the folder",
    });
  }
  const warnings = entries
    .filter((e) => e.kind === "file" && /\.sql$/i.test(e.name))
    .map((e) => ignoredFileWarning(e.path, "Prisma runs only <folder>/migration.sql (create migrations with prisma migrate dev --create-only)"));
  if (folders.length === 0) warnings.unshift(emptyFolderWarning(dir, "migration folders (<timestamp>_name/migration.sql)"));
  const migrations = folders.map((name) => {
    const file = join(dir, name, "migration.sql");
    const script = readSourceFile(file);
    return sqlMigration(name, file, script, sha256(script));
  });
  return { migrations, warnings };
}

/** The `provider` of `migration_lock.toml`, or undefined when the file is absent (Prisma accepts that). */
export function readLockProvider(dir: string): string | undefined {
  const path = join(dir, "migration_lock.toml");
  if (!existsSync(path)) return undefined;
  const line = readSourceFile(path).split(/\r?\n/).find((l) => l.trimStart().startsWith("provider"));
  return line?.replace(/^\s*provider\s*=\s*/, "").replace(/["']/g, "").trim();
}
