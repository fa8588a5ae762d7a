import type { CheckIssue, CheckOptions } from "../../registry/engine-offline.js";
import { checkSources } from "../shared/check-sources.js";
import { sources } from "./drizzle-sources.js";

/**
 * `stagecraft validate` for drizzle-kit folders: the journal reads and every entry has its
 * file, files the journal does not list, folder names, and every statement chunk parses in the
 * dialect (the URL's, else the journal's).
 */
export async function check(opts: CheckOptions): Promise<CheckIssue[]> {
  return checkSources(() => sources({ config: opts.config, migrationPath: opts.migrationPath, ...(opts.dialect ? { dialect: opts.dialect } : {}) }));
}
