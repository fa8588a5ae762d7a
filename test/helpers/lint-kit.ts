// Lints migrations given as text, as the raw engine would run them, straight through the lint core.
import { DIALECT_TRAITS } from "../../dist/src/drivers/dialect-traits.js";
import { hasNoTransactionDirective } from "../../dist/src/engines/shared/directives.js";
import type { LintFinding } from "../../dist/src/lint/finding.js";
import { FolderLint } from "../../dist/src/lint/folder-lint.js";
import type { LintSettings } from "../../dist/src/lint/lint-config.js";
import type { SourceTransaction, SqlSource } from "../../dist/src/registry/sql-sources.js";

export type LintDialectName = "postgres" | "mysql" | "sqlite";

export interface ScriptSpec {
  id?: string;
  script: string;
  /** @default as the raw engine runs it: its own transaction, none on MySQL or with `-- stagecraft:no-transaction` */
  transaction?: SourceTransaction;
  chunks?: SqlSource["chunks"];
}

/** The transaction the raw engine (per-migration) would run `script` in. */
export function rawTransaction(dialect: LintDialectName, script: string): SourceTransaction {
  return DIALECT_TRAITS[dialect].transactionalDdl && !hasNoTransactionDirective(script) ? "migration" : "none";
}

export function folderOf(dialect: LintDialectName, specs: readonly (ScriptSpec | string)[], settings?: LintSettings["rules"]): Promise<FolderLint> {
  const migrations = specs.map((spec, i): SqlSource => {
    const s = typeof spec === "string" ? { script: spec } : spec;
    const id = s.id ?? `${String(i + 1).padStart(3, "0")}_m`;
    return { id, file: `/project/migrations/${id}.sql`, script: s.script, transaction: s.transaction ?? rawTransaction(dialect, s.script), ...(s.chunks ? { chunks: s.chunks } : {}) };
  });
  return FolderLint.create({ dialect, migrations }, settings);
}

/** Every finding of the migrations, in order. */
export async function lint(dialect: LintDialectName, ...specs: (ScriptSpec | string)[]): Promise<LintFinding[]> {
  return (await folderOf(dialect, specs)).findings();
}

/** The rule IDs found, in order. */
export async function rules(dialect: LintDialectName, ...specs: (ScriptSpec | string)[]): Promise<string[]> {
  return (await lint(dialect, ...specs)).map((f) => f.rule);
}
