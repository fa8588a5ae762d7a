import type { Dialect } from "../drivers/driver.js";

/** What {@link Engine.check} reads: the folder and config, never the database. */
export interface CheckOptions {
  /** The engine's own keys of `databases.<name>.migrations`, validated by its schema. */
  config: Record<string, unknown>;
  /** Absolute path of the migrations folder. */
  migrationPath: string;
  /** Folder of the config file; relative paths of the engine's config resolve against it. */
  workDir: string;
  /** Name of the database in the config, for messages. */
  database: string;
  /** The dialect of the database's URL, when its connection variable is set (nothing connects). */
  dialect?: Dialect;
}

/**
 * One thing `stagecraft validate` found wrong (`error`: a run would fail or do the wrong thing)
 * or worth a look (`warning`: an empty folder, a misnamed file that is skipped).
 */
export interface CheckIssue {
  severity: "error" | "warning";
  /** `unreadable_folder`, `syntax`, `provider_mismatch`, `journal`, `no_loader`, `ignored_file`, … */
  code: string;
  message: string;
  file?: string;
  /** 1-based line in `file`, when the problem has one. */
  line?: number;
  hint?: string;
}

/** What {@link Engine.newMigration} is asked to create. */
export interface NewMigrationOptions {
  config: Record<string, unknown>;
  migrationPath: string;
  workDir: string;
  database: string;
  /** The migration's name as typed (`add email index`); the engine turns it into its file naming. */
  name: string;
  /** Also create the down (revert) part, where the engine keeps it apart. */
  down: boolean;
  /** When the file is created, for timestamp-numbered folders. */
  now: Date;
}

export interface NewMigrationResult {
  /** The new migration's ID, as plans will list it. */
  id: string;
  /** Absolute paths of the files created. */
  files: string[];
}
