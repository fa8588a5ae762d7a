import { StagecraftError } from "../../errors.js";
import { sha256MatchesIgnoringLineEndings } from "../shared/checksum.js";
import type { DrizzleMigration } from "./drizzle-source.js";
import type { DrizzleRow } from "./drizzle-table.js";

/**
 * drizzle 1.0's matching of a 0.x table's rows (no `name`) to migration folders (engine-formats
 * §1.8): `created_at` truncated to seconds against the folder's timestamp, by hash when several
 * folders share that second, by hash alone when none does. A row that matches nothing is an error,
 * as in drizzle, since its migration would otherwise be forgotten.
 */
export function matchLegacyRows(rows: DrizzleRow[], migrations: DrizzleMigration[], table: string): Map<DrizzleRow, DrizzleMigration> {
  const matches = new Map<DrizzleRow, DrizzleMigration>();
  const unmatched: DrizzleRow[] = [];
  for (const row of rows) {
    const second = row.createdAt === null ? undefined : Math.floor(row.createdAt / 1000) * 1000;
    const sameSecond = migrations.filter((m) => m.createdAt === second);
    const byHash = (candidates: DrizzleMigration[]) => candidates.find((m) => sha256MatchesIgnoringLineEndings(row.hash, m.script));
    const match = sameSecond.length === 1 ? sameSecond[0] : byHash(sameSecond.length > 1 ? sameSecond : migrations);
    if (match === undefined) unmatched.push(row);
    else matches.set(row, match);
  }
  if (unmatched.length > 0) {
    throw new StagecraftError("invalid_config", `${table} has ${unmatched.length} drizzle 0.x row${unmatched.length > 1 ? "s" : ""} that match${unmatched.length > 1 ? "" : "es"} no migration folder (created_at ${unmatched.map((r) => r.createdAt).join(", ")}); nothing was changed`, {
      hint: "restore the missing migration folders (drizzle-kit up converts a 0.x journal), or remove those rows if their migrations were dropped on purpose",
    });
  }
  return matches;
}
