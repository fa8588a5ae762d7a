import { hasNoTransactionDirective } from "./directives.js";

/** A migration that is one SQL script on disk, as the raw, drizzle and prisma engines read them. */
export interface SqlMigration {
  /** The name the engine records: file stem, journal tag or folder name. */
  id: string;
  description: string;
  /** Absolute path of the script. */
  file: string;
  script: string;
  /** Content hash, as the engine's bookkeeping stores it. */
  checksum: string;
  /** The script starts with `-- stagecraft:no-transaction`. */
  noTransaction: boolean;
}

export function sqlMigration(id: string, file: string, script: string, checksum: string): SqlMigration {
  return { id, description: describeId(id), file, script, checksum, noTransaction: hasNoTransactionDirective(script) };
}

/** `20240101_add_users` → `add users`: the id without its number prefix, `_`/`-` as spaces. */
export function describeId(id: string): string {
  const text = id.replace(/^[0-9]+[_-]?/, "").replace(/[_-]+/g, " ").trim();
  return text === "" ? id : text;
}
