import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import { sha256 } from "../shared/checksum.js";
import { readSourceFile } from "../shared/source-cache.js";
import { sqlMigration, type SqlMigration } from "../shared/sql-migration.js";

/** `id` is the folder name (Prisma's `migration_name`); `checksum` is sha256 of migration.sql as stored. */
export type PrismaMigration = SqlMigration;

/**
 * Every sub-folder of `dir` is a migration holding `migration.sql`, sorted by name as the Prisma
 * CLI sorts them (localeCompare). A folder without the file is an error, as in Prisma.
 */
export async function readPrismaMigrations(dir: string): Promise<PrismaMigration[]> {
  const folders = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort((a, b) => a.localeCompare(b));
  const missing = folders.filter((name) => !existsSync(join(dir, name, "migration.sql")));
  if (missing.length > 0) {
    throw new StagecraftError("invalid_config", `prisma migration folder${missing.length > 1 ? "s" : ""} ${missing.map((m) => join(dir, m)).join(", ")} ha${missing.length > 1 ? "ve" : "s"} no migration.sql; nothing was applied`, {
      file: join(dir, missing[0]!), hint: "add the migration.sql, or remove the folder",
    });
  }
  return folders.map((name) => {
    const file = join(dir, name, "migration.sql");
    const script = readSourceFile(file);
    return sqlMigration(name, file, script, sha256(script));
  });
}

/** The `provider` of `migration_lock.toml`, or undefined when the file is absent (Prisma accepts that). */
export async function readLockProvider(dir: string): Promise<string | undefined> {
  const path = join(dir, "migration_lock.toml");
  if (!existsSync(path)) return undefined;
  const line = (await readFile(path, "utf8")).split(/\r?\n/).find((l) => l.trimStart().startsWith("provider"));
  return line?.replace(/^\s*provider\s*=\s*/, "").replace(/["']/g, "").trim();
}
