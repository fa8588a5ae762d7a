import { readdirSync } from "node:fs";
import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import { compareStrings } from "../../util/text.js";
import { normalizedChecksum } from "../shared/checksum.js";
import { readSourceFile } from "../shared/source-cache.js";
import { sqlMigration, type SqlMigration } from "../shared/sql-migration.js";

export interface RawMigrationFile extends SqlMigration {
  /** File name of the down script, if any. */
  downFile?: string;
}

/**
 * Reads `<id>.sql` (or `<id>.up.sql`) and optional `<id>.down.sql` files, sorted by id in
 * byte order. Other files are ignored.
 */
export async function readRawMigrations(dir: string): Promise<RawMigrationFile[]> {
  const names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".sql")).map((e) => e.name);
  const ups = new Map<string, string>();
  const downs = new Map<string, string>();
  for (const name of names) {
    if (name.endsWith(".down.sql")) {
      downs.set(name.slice(0, -".down.sql".length), name);
      continue;
    }
    const id = name.endsWith(".up.sql") ? name.slice(0, -".up.sql".length) : name.slice(0, -".sql".length);
    const other = ups.get(id);
    if (other !== undefined) {
      throw new StagecraftError("invalid_config", `migration ${id} has two up files, ${other} and ${name}`, {
        migration: id, file: join(dir, name), hint: "keep one of them",
      });
    }
    ups.set(id, name);
  }
  for (const [id, name] of downs) {
    if (!ups.has(id)) {
      throw new StagecraftError("invalid_config", `down file ${name} has no up file ${id}.sql`, { file: join(dir, name), hint: `add ${id}.sql or remove ${name}` });
    }
  }
  const ids = [...ups.keys()].sort(compareStrings);
  return ids.map((id) => {
    const file = join(dir, ups.get(id)!);
    const script = readSourceFile(file);
    const downFile = downs.get(id);
    return { ...sqlMigration(id, file, script, normalizedChecksum(script)), ...(downFile === undefined ? {} : { downFile }) };
  });
}
