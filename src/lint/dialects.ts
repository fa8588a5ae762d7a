import type { Dialect } from "../drivers/driver.js";
import type { LintDialect } from "./rule.js";

const loaded = new Map<Dialect, Promise<LintDialect>>();

/** The dialect's analyser, imported on first use: a SQLite-only project never loads PostgreSQL's parser, and the reverse. */
export function lintDialect(dialect: Dialect): Promise<LintDialect> {
  let module = loaded.get(dialect);
  if (module === undefined) {
    module = LOADERS[dialect]();
    loaded.set(dialect, module);
    module.catch(() => loaded.delete(dialect));
  }
  return module;
}

const LOADERS: Readonly<Record<Dialect, () => Promise<LintDialect>>> = {
  postgres: async () => (await import("./postgres/index.js")).postgresLint,
  mysql: async () => (await import("./mysql/index.js")).mysqlLint,
  sqlite: async () => (await import("./sqlite/index.js")).loadSqliteLint(),
};
