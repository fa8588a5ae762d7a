import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import { sha256 } from "../shared/checksum.js";
import { hasNoTransactionDirective } from "../shared/directives.js";

export interface PrismaMigration {
  /** Folder name, Prisma's `migration_name`. */
  id: string;
  description: string;
  file: string;
  script: string;
  /** sha256 hex of migration.sql as stored, as Prisma computes it. */
  checksum: string;
  noTransaction: boolean;
}

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
  return Promise.all(folders.map(async (name) => {
    const file = join(dir, name, "migration.sql");
    const script = await readFile(file, "utf8");
    return {
      id: name,
      description: name.replace(/^\d+_/, "").replace(/[_-]+/g, " ") || name,
      file,
      script,
      checksum: sha256(script),
      noTransaction: hasNoTransactionDirective(script),
    };
  }));
}

/** The `provider` of `migration_lock.toml`, or undefined when the file is absent (Prisma accepts that). */
export async function readLockProvider(dir: string): Promise<string | undefined> {
  const path = join(dir, "migration_lock.toml");
  if (!existsSync(path)) return undefined;
  const line = (await readFile(path, "utf8")).split(/\r?\n/).find((l) => l.trimStart().startsWith("provider"));
  return line?.replace(/^\s*provider\s*=\s*/, "").replace(/["']/g, "").trim();
}
