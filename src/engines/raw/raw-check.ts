import type { CheckIssue, CheckOptions } from "../../registry/engine-offline.js";
import { checkSources, errorIssue, warningIssue } from "../shared/check-sources.js";
import { readRawMigrations } from "./raw-source.js";
import { sources } from "./raw-sources.js";

/**
 * `stagecraft validate` for raw folders: names (numbered, no up file twice, no orphan down
 * file, no IDs equal but for case), misnamed `.sql` files, an empty folder, and with the
 * database's dialect known every file parses.
 */
export async function check(opts: CheckOptions): Promise<CheckIssue[]> {
  // Without a URL the dialect is unknown (that is an issue of its own): the folder's names still are checked.
  if (opts.dialect === undefined) {
    try {
      return readRawMigrations(opts.migrationPath).warnings.map(warningIssue);
    } catch (error) {
      return [errorIssue(error)];
    }
  }
  return checkSources(() => sources({ config: opts.config, migrationPath: opts.migrationPath, dialect: opts.dialect! }));
}
