import { StagecraftError } from "../../errors.js";

/**
 * The ID as MySQL/MariaDB's default collations compare it: without case, accents or trailing
 * spaces. Two files equal under this folding would be one row in a table created with such a
 * collation (and are a trap when reading a folder anyway).
 */
function fold(id: string): string {
  return id.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[ \t]+$/, "");
}

/** Refuses a folder with two migration IDs that differ only by case, accents or trailing spaces. */
export function refuseCollidingIds(items: readonly { id: string; file: string }[]): void {
  const seen = new Map<string, { id: string; file: string }>();
  for (const item of items) {
    const key = fold(item.id);
    const other = seen.get(key);
    if (other !== undefined) {
      throw new StagecraftError("invalid_config", `migrations ${JSON.stringify(other.id)} and ${JSON.stringify(item.id)} differ only by case, accents or trailing spaces (${other.file}, ${item.file}); databases that compare text that way would take them for one migration`, {
        migration: item.id,
        file: item.file,
        hint: "rename one of them so the IDs differ in letters or numbers",
      });
    }
    seen.set(key, item);
  }
}
