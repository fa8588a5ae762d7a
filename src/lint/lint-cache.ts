import { sameSource } from "../config/check-database.js";
import type { DatabaseConfig } from "../config/load.js";
import type { Dialect } from "../drivers/driver.js";
import { parseConnectionUrl } from "../drivers/url.js";
import type { Engine } from "../registry/engine.js";
import { FolderLint } from "./folder-lint.js";
import type { LintSettings } from "./lint-config.js";

/**
 * Lints of the folders of one call, each read once: the key is the folder, the engine and its
 * config, and the dialect, so the members of a fleet share one lint.
 */
export class LintCache {
  readonly #folders = new Map<string, Promise<FolderLint>>();
  readonly #configKeys = new WeakMap<Record<string, unknown>, string>();
  readonly #schemes = new Map<string, Dialect>();
  #last: { db: DatabaseConfig; dialect: Dialect | undefined; lint: Promise<FolderLint> } | undefined;

  constructor(
    readonly settings: LintSettings | undefined,
    /** Folder of the config file: relative `sqlite:` paths resolve against it. */
    readonly workDir: string,
  ) {}

  /** Whether lint can read the engine's migrations (it has SQL sources). */
  static reads(engine: Engine | undefined): engine is Engine & Required<Pick<Engine, "sources">> {
    return typeof engine?.sources === "function";
  }

  /** The lint of the database's folder read as `dialect` (or as the folder says, when undefined). Rejects when the folder cannot be read. */
  folder(db: DatabaseConfig, engine: Engine & Required<Pick<Engine, "sources">>, dialect: Dialect | undefined): Promise<FolderLint> {
    // The members of a fleet come one after another with one folder: no key to build for them.
    const last = this.#last;
    if (last !== undefined && last.dialect === dialect && sameSource(last.db, db)) return last.lint;
    let configKey = this.#configKeys.get(db.engineConfig);
    if (configKey === undefined) this.#configKeys.set(db.engineConfig, (configKey = JSON.stringify(db.engineConfig)));
    const key = `${db.engine}\0${db.migrationPath}\0${configKey}\0${dialect ?? ""}`;
    let lint = this.#folders.get(key);
    if (lint === undefined) {
      // Called from a promise: an engine whose sources() throws (or returns no promise) rejects it, like one that rejects.
      lint = Promise.resolve()
        .then(() => engine.sources({ config: db.engineConfig, migrationPath: db.migrationPath, ...(dialect === undefined ? {} : { dialect }) }))
        .then((sources) => FolderLint.create(sources, this.settings?.rules));
      this.#folders.set(key, lint);
    }
    this.#last = { db, dialect, lint };
    return lint;
  }

  /** The dialect a URL names (its scheme), without connecting; undefined for a URL that does not parse. */
  dialectOf(url: string): Dialect | undefined {
    const scheme = /^\s*([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase() ?? "";
    const known = this.#schemes.get(scheme);
    if (known !== undefined) return known;
    try {
      const { dialect } = parseConnectionUrl(url, this.workDir, "");
      if (scheme !== "") this.#schemes.set(scheme, dialect);
      return dialect;
    } catch {
      return undefined;
    }
  }
}
