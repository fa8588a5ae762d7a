import type { DatabaseConfig } from "../config/load.js";
import { serializeError } from "../errors.js";
import type { Engine } from "../registry/engine.js";
import type { LooseDatabaseReport } from "../runner/report.js";
import type { LintErrorSet, LintFinding } from "./finding.js";
import type { FolderLint } from "./folder-lint.js";
import { LintCache } from "./lint-cache.js";
import type { LintSettings } from "./lint-config.js";

/** What the runner does with one database's lint. */
export interface DatabaseLint {
  /** For a run: migration sets that fail it (the worker refuses when one is about to run). */
  errors?: LintErrorSet[];
  /** For a plan: puts the findings of the pending migrations (or why lint could not run) on the report. */
  annotate(report: LooseDatabaseReport): void;
}

const NOTHING: DatabaseLint = { annotate: () => undefined };

/**
 * The main thread's side of lint in `migrate`: each folder is linted once per call, a plan
 * carries the findings of each database's pending migrations, and a run hands each task the
 * error sets of its folder. Lint never fails a database itself: a folder it cannot read is
 * reported by the engine when the database plans or runs.
 */
export class RunnerLint {
  readonly #cache: LintCache;
  /** What each folder's lint means for its databases, once it is read: the members of a fleet share one. */
  readonly #settled = new WeakMap<Promise<FolderLint>, DatabaseLint>();

  constructor(settings: LintSettings | undefined, workDir: string, readonly mode: "plan" | "run") {
    this.#cache = new LintCache(settings, workDir);
  }

  /** Whether lint has anything to say about databases of `engine` (one that cannot list its sources has nothing linted): when not, skip {@link forDatabase}. */
  applies(engine: Engine | undefined): boolean {
    return LintCache.reads(engine);
  }

  /** The database's lint; a value, not a promise, once its folder has been read. */
  forDatabase(db: DatabaseConfig, engine: Engine | undefined, url: string): DatabaseLint | Promise<DatabaseLint> {
    if (!LintCache.reads(engine)) return NOTHING;
    const folder = this.#cache.folder(db, engine, this.#cache.dialectOf(url));
    return this.#settled.get(folder) ?? this.#settle(folder);
  }

  async #settle(pending: Promise<FolderLint>): Promise<DatabaseLint> {
    let folder: FolderLint | undefined;
    let lint: DatabaseLint = NOTHING;
    try {
      folder = await pending;
    } catch (error) {
      const { message } = serializeError(error);
      // A plan that failed says more than lint could; one that succeeded says lint did not run.
      lint = this.mode === "run" ? NOTHING : { annotate: (report) => void (report.status === "succeeded" && (report.warnings = [...(report.warnings ?? []), { code: "lint_failed", message: `lint could not read the migrations: ${message}` }])) };
    }
    // Only reading the folder may fail quietly: an error in lint itself is not a reason to run unchecked.
    if (folder !== undefined) lint = this.#lintOf(folder);
    this.#settled.set(pending, lint);
    return lint;
  }

  #lintOf(folder: FolderLint): DatabaseLint {
    if (this.mode === "run") {
      const errors = folder.errorSets();
      return errors.length > 0 ? { errors, annotate: () => undefined } : NOTHING;
    }
    // Reports of a folder share their migration lists (plan-interner.ts): findings per list, not per database.
    const byList = new WeakMap<readonly LooseDatabaseReport["migrations"][number][], readonly LintFinding[]>();
    return {
      annotate: (report) => {
        if (report.status !== "succeeded") return;
        let findings = byList.get(report.migrations);
        if (findings === undefined) byList.set(report.migrations, (findings = folder.findings(report.migrations.filter((m) => !m.applied).map((m) => m.id))));
        if (findings.length > 0) report.lint = findings as LintFinding[];
      },
    };
  }
}
