import type { Dialect } from "../drivers/driver.js";
import type { TextRange } from "../sql/statement.js";
import type { PlanWarning } from "./engine.js";

/**
 * The transaction a migration's SQL runs in. `migration`: its own, committed with its
 * bookkeeping row. `run`: one transaction for every migration of the run (raw
 * `transaction_mode: all`). `none`: each statement commits on its own (MySQL, whose DDL
 * commits implicitly, and files starting with `-- stagecraft:no-transaction`).
 */
export type SourceTransaction = "migration" | "run" | "none";

/** One migration's SQL as the engine will send it, read from disk without connecting. */
export interface SqlSource {
  /** The ID the engine records (and plans list). */
  id: string;
  /** Absolute path of the script. */
  file: string;
  script: string;
  /** Parts sent on their own (drizzle's `--> statement-breakpoint` chunks); absent: the whole script is one part. */
  chunks?: readonly TextRange[];
  transaction: SourceTransaction;
}

/** What {@link Engine.sources} reads: the folder and config only. */
export interface SourceOptions {
  /** The engine's own keys of `databases.<name>.migrations`, validated by its schema. */
  config: Record<string, unknown>;
  /** Absolute path of the migrations folder. */
  migrationPath: string;
  /**
   * The database's dialect (from its URL's scheme; nothing connects). When absent the engine
   * takes it from the folder where the folder names it (Prisma's `migration_lock.toml`,
   * drizzle-kit's journal) and otherwise fails with `invalid_config`.
   */
  dialect?: Dialect;
}

export interface SqlSources {
  /** The dialect the sources were read for: the one asked, or the one the folder names. */
  dialect: Dialect;
  /** Every migration of the folder, in apply order. */
  migrations: SqlSource[];
  warnings?: PlanWarning[];
}
