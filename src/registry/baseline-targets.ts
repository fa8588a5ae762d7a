import { StagecraftError } from "../errors.js";
import type { Migration, MigrationState } from "./engine.js";

/**
 * The migrations a baseline to `to` records as applied, in apply order: every pending one up to
 * and including `to`. Empty when the database is already at `to`. Throws, naming the database's
 * problem, where the history disagrees with "everything up to `to` happened and nothing after":
 * `to` is unknown, an attempt failed or never finished, a migration after `to` is applied, or a
 * migration before an applied one is not (out of order). Filling such a gap, or recording past a
 * later migration, would claim a history the database never had; those are settled one by one
 * (`migrate resolve`) or by running the migrations instead.
 *
 * `migrations` is an engine's plan (apply order, with states); `where` names the folder.
 */
export function baselineTargets(migrations: readonly Migration[], to: string, where: string, database: string): string[] {
  const index = migrations.findIndex((m) => m.id === to);
  if (index < 0) {
    const close = migrations.map((m) => m.id).filter((id) => id.startsWith(to) || to.startsWith(id)).slice(0, 3);
    throw new StagecraftError("invalid_config", `cannot baseline: no migration ${to} in ${where}`, {
      migration: to,
      hint: close.length > 0 ? `did you mean ${close.join(" or ")}? --to takes a migration ID as the plan lists it` : "--to takes a migration ID as the plan lists it (stagecraft migrate --plan)",
    });
  }
  const failed = migrations.find((m) => stateOf(m) === "failed");
  if (failed) {
    throw new StagecraftError("migration_failed", `cannot baseline: migration ${failed.id} has a failed or unfinished attempt${failed.error ? ` (${failed.error})` : ""}; its effect on the database is unknown`, {
      migration: failed.id,
      hint: `settle it first: \`stagecraft migrate resolve --database ${database} --applied ${failed.id}\` (it is complete) or \`--rolled-back ${failed.id}\` (it left nothing), then baseline again`,
    });
  }
  const after = migrations.slice(index + 1).filter((m) => stateOf(m) === "applied").map((m) => m.id);
  if (after.length > 0) {
    throw new StagecraftError("invalid_config", `cannot baseline to ${to}: ${list(after)} ${after.length === 1 ? "is" : "are"} already applied after it`, {
      migration: to,
      hint: `this database is past ${to}: baseline it to ${after[after.length - 1]} or later, or leave it out (--exclude ${database})`,
    });
  }
  const upTo = migrations.slice(0, index + 1);
  const lastApplied = upTo.map(stateOf).lastIndexOf("applied");
  const gap = upTo.slice(0, Math.max(0, lastApplied)).filter((m) => stateOf(m) === "pending").map((m) => m.id);
  if (gap.length > 0) {
    throw new StagecraftError("invalid_config", `cannot baseline to ${to}: the history is out of order: ${list(gap)} ${gap.length === 1 ? "is" : "are"} not applied but the later ${upTo[lastApplied]!.id} is`, {
      migration: gap[0]!,
      hint: `run the missing migration${gap.length === 1 ? "" : "s"} (stagecraft migrate --to ${to}) or record ${gap.length === 1 ? "it" : "each"} with \`stagecraft migrate resolve --database ${database} --applied ID\` once you have checked ${gap.length === 1 ? "it is" : "they are"} in the database`,
    });
  }
  return upTo.filter((m) => stateOf(m) === "pending").map((m) => m.id);
}

function stateOf(m: Migration): MigrationState {
  return m.state ?? (m.applied ? "applied" : "pending");
}

function list(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more`;
}
