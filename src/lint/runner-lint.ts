import type { DatabaseConfig } from "../config/load.js";
import { serializeError } from "../errors.js";
import type { Engine } from "../registry/engine.js";
import type { LooseDatabaseReport } from "../runner/report.js";
import type { LintErrorSet } from "./finding.js";
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

  constructor(settings: LintSettings | undefined, workDir: string, readonly mode: "plan" | "run") {
    this.#cache = new LintCache(settings, workDir);
  }

  /** Whether lint has anything to say about databases of `engine` (one that cannot list its sources has nothing linted): when not, skip {@link forDatabase}. */
  applies(engine: Engine | undefined): boolean {
    return LintCache.reads(engine);
  }

  async forDatabase(db: DatabaseConfig, engine: Engine | undefined, url: string): Promise<DatabaseLint> {
    if (!LintCache.reads(engine)) return NOTHING;
    const dialect = this.#cache.dialectOf(url);
    let folder;
    try {
      folder = await this.#cache.folder(db, engine, dialect);
    } catch (error) {
      const { message } = serializeError(error);
      // A plan that failed says more than lint could; one that succeeded says lint did not run.
      if (this.mode === "run") return NOTHING;
      return { annotate: (report) => void (report.status === "succeeded" && (report.warnings = [...(report.warnings ?? []), { code: "lint_failed", message: `lint could not read the migrations: ${message}` }])) };
    }
    if (this.mode === "run") {
      const errors = folder.errorSets();
      return errors.length > 0 ? { errors, annotate: () => undefined } : NOTHING;
    }
    return {
      annotate: (report) => {
        if (report.status !== "succeeded") return;
        const findings = folder.findings(report.migrations.filter((m) => !m.applied).map((m) => m.id));
        if (findings.length > 0) report.lint = findings;
      },
    };
  }
}
