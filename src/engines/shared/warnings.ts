import type { PlanWarning } from "../../registry/engine.js";

/** An empty migrations folder plans as "up to date", which is rarely what was meant. */
export function emptyFolderWarning(dir: string, what = "migrations"): PlanWarning {
  return { code: "empty_folder", message: `no ${what} in ${dir}: nothing to apply (is migrations.path right?)`, file: dir };
}

export function ignoredFileWarning(file: string, why: string): PlanWarning {
  return { code: "ignored_file", message: `${file} is not a migration and is skipped: ${why}`, file };
}
