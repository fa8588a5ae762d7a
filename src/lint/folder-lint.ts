import { DIALECT_TRAITS } from "../drivers/dialect-traits.js";
import type { Dialect } from "../drivers/driver.js";
import type { SqlSources } from "../registry/sql-sources.js";
import { analyseSource, type AnalysedMigration } from "./analyse-source.js";
import { lintDialect } from "./dialects.js";
import { enumValueUses } from "./enum-values.js";
import { compareFindings, quoteStatement, type LintErrorSet, type LintFinding } from "./finding.js";
import { SchemaHistory } from "./history.js";
import type { LintSettings } from "./lint-config.js";
import type { AnalysedStatement, LintDialect, Rule, RuleContext, RuleHit } from "./rule.js";
import type { RuleId } from "./rule-ids.js";
import { DEFAULT_SEVERITY, STATEMENT_RULES } from "./rules/index.js";

export type { LintErrorSet } from "./finding.js";

/**
 * The lint of one folder as one engine config runs it on one dialect: every migration is read
 * and analysed once, rules run once, and each database asks only for its pending migrations.
 * A fleet of a thousand databases sharing the folder costs one lint.
 */
export class FolderLint {
  readonly #migrations: AnalysedMigration[];
  readonly #dialect: LintDialect;
  readonly #settings: LintSettings["rules"];
  /** Findings of each migration that do not depend on what else runs with it. */
  readonly #own = new Map<string, LintFinding[]>();
  readonly #byIds = new Map<string, LintFinding[]>();
  /** Findings the engine refuses by itself before running anything (see {@link SyntaxProblem.refusedByEngine}). */
  readonly #engineRefuses = new WeakSet<LintFinding>();

  private constructor(readonly dialect: Dialect, migrations: AnalysedMigration[], lint: LintDialect, settings: LintSettings["rules"]) {
    this.#migrations = migrations;
    this.#dialect = lint;
    this.#settings = settings;
    const rules = STATEMENT_RULES.filter((rule) => rule.dialects.includes(dialect));
    const history = new SchemaHistory();
    for (const m of migrations) {
      const findings: LintFinding[] = [];
      this.#statementFindings(m, rules, history, findings);
      if (m.source.transaction === "migration") findings.push(...this.#enumFindings([m]));
      this.#own.set(m.source.id, findings.sort(compareFindings));
    }
  }

  static async create(sources: SqlSources, settings: LintSettings["rules"] = {}): Promise<FolderLint> {
    const lint = await lintDialect(sources.dialect);
    const grammar = DIALECT_TRAITS[sources.dialect].syntax.grammar;
    const migrations: AnalysedMigration[] = [];
    for (const source of sources.migrations) migrations.push(await analyseSource(source, grammar, lint));
    return new FolderLint(sources.dialect, migrations, lint, settings);
  }

  /** Migration IDs in apply order. */
  get ids(): string[] {
    return this.#migrations.map((m) => m.source.id);
  }

  /**
   * Findings of the migrations in `ids` (every migration when absent), as a run of exactly those
   * would meet them. Cached per set: the databases of a fleet usually share their pending set.
   */
  findings(ids?: Iterable<string>): LintFinding[] {
    const wanted = ids === undefined ? undefined : new Set(ids);
    const key = wanted === undefined ? "\0all" : [...wanted].join("\n");
    const hit = this.#byIds.get(key);
    if (hit !== undefined) return hit;
    const chosen = this.#migrations.filter((m) => wanted === undefined || wanted.has(m.source.id));
    const findings = chosen.flatMap((m) => this.#own.get(m.source.id)!);
    findings.push(...this.#enumFindings(chosen.filter((m) => m.source.transaction === "run")));
    const sorted = findings.length > 1 ? findings.sort(compareFindings) : findings;
    this.#byIds.set(key, sorted);
    return sorted;
  }

  /**
   * For the run gate: every set of migrations whose running together fails, with its finding.
   * Syntax errors the engine itself refuses before running anything are left to it.
   */
  errorSets(): LintErrorSet[] {
    const sets: LintErrorSet[] = [];
    for (const [id, findings] of this.#own) for (const finding of findings) if (finding.severity === "error" && !this.#engineRefuses.has(finding)) sets.push({ migrations: [id], finding });
    const run = this.#migrations.filter((m) => m.source.transaction === "run");
    for (const use of enumValueUses(run, this.#dialect)) {
      const finding = this.#enumFinding(use);
      if (finding?.severity === "error") sets.push({ migrations: [...new Set([use.added.migration.source.id, use.migration.source.id])], finding });
    }
    return sets;
  }

  #statementFindings(m: AnalysedMigration, rules: readonly Rule[], history: SchemaHistory, out: LintFinding[]): void {
    const created = createdTables(m.statements);
    const ctx: RuleContext = {
      dialect: this.dialect,
      source: m.source,
      statements: m.statements,
      createdBefore: (table, index) => (created.get(table) ?? Number.POSITIVE_INFINITY) < index,
      replacedAfter: (table, index) => m.statements.some((s) => s.index > index && renamedTo(s).some((r) => r.to === table && created.has(r.from))),
      history,
      advice: (rule) => this.#dialect.advice[rule],
    };
    const syntaxAt = new Set(m.syntax.flatMap((p) => (p.statement === undefined ? [] : [p.statement])));
    for (const statement of m.statements) {
      // A statement the parser rejected says nothing reliable; its syntax finding is enough.
      if (!syntaxAt.has(statement.index)) {
        for (const rule of rules) {
          const hits = rule.check(statement, ctx);
          if (hits === undefined) continue;
          if (!Array.isArray(hits)) this.#push(out, m, rule.id, statement, hits);
          else for (const hit of hits) this.#push(out, m, rule.id, statement, hit);
        }
      }
      history.record(statement.facts);
    }
    for (const problem of m.syntax) {
      const statement = problem.statement === undefined ? undefined : m.statements[problem.statement];
      const hit = { message: problem.message, fix: problem.fix ?? "fix the SQL: the dialect's own parser rejects it, so the migration fails before it does anything", line: m.positions.line(problem.offset), column: m.positions.column(problem.offset) };
      const finding = this.#push(out, m, problem.rule ?? "syntax-error", statement, hit, statement === undefined ? lineAt(m.text, problem.offset) : undefined);
      if (finding && problem.refusedByEngine) this.#engineRefuses.add(finding);
    }
    for (const problem of m.directives.problems) {
      this.#push(out, m, "invalid-lint-ignore", undefined, { message: problem.message, fix: "write -- stagecraft:lint-ignore RULE_ID why it is safe here", line: m.positions.line(problem.offset), column: m.positions.column(problem.offset) }, lineAt(m.text, problem.offset));
    }
  }

  #enumFindings(scope: readonly AnalysedMigration[]): LintFinding[] {
    return enumValueUses(scope, this.#dialect).flatMap((use) => {
      const finding = this.#enumFinding(use);
      return finding === undefined ? [] : [finding];
    });
  }

  #enumFinding(use: ReturnType<typeof enumValueUses>[number]): LintFinding | undefined {
    const { added } = use;
    const where = added.migration === use.migration ? `line ${added.statement.line}` : `${added.migration.source.file}:${added.statement.line}`;
    const out: LintFinding[] = [];
    this.#push(out, use.migration, "new-enum-value-used", use.statement, {
      message: `uses '${use.value}', which ALTER TYPE ${use.type} ADD VALUE (${where}) adds in the same transaction: PostgreSQL refuses a new enum value until that transaction commits (unsafe use of new value)`,
      fix: added.migration.source.transaction === "run"
        ? `use transaction_mode: per-migration and put the statements that use '${use.value}' in a later migration than the ADD VALUE`
        : `move the statements that use '${use.value}' to a later migration: the ADD VALUE commits with its own migration`,
    });
    return out[0];
  }

  /** Adds a finding unless its rule is off or a lint-ignore comment covers it. */
  #push(out: LintFinding[], m: AnalysedMigration, rule: RuleId, statement: AnalysedStatement | undefined, hit: RuleHit, text?: string): LintFinding | undefined {
    const setting = this.#settings[rule] ?? DEFAULT_SEVERITY[rule];
    if (setting === "off") return undefined;
    if (rule !== "invalid-lint-ignore" && (m.directives.file.has(rule) || (statement !== undefined && m.directives.statements.get(statement.index)?.has(rule)))) return undefined;
    const finding: LintFinding = {
      rule,
      severity: setting,
      migration: m.source.id,
      file: m.source.file,
      line: hit.line ?? statement?.line ?? 1,
      column: hit.column ?? statement?.column ?? 1,
      statement: quoteStatement(text ?? statement?.text ?? ""),
      message: hit.message,
      fix: hit.fix,
    };
    out.push(finding);
    return finding;
  }
}

/** Tables each statement renames to (RENAME TABLE, ALTER TABLE … RENAME TO). */
function renamedTo(s: AnalysedStatement): { from: string; to: string }[] {
  const out = [...(s.facts.renamesTables ?? [])];
  const alter = s.facts.alter;
  for (const a of alter?.actions ?? []) if (a.kind === "rename-table") out.push({ from: alter!.table, to: a.to });
  return out;
}

/** Tables created in the migration (or renamed from one it created), with the index of the statement that did. */
function createdTables(statements: readonly AnalysedStatement[]): Map<string, number> {
  const created = new Map<string, number>();
  for (const s of statements) {
    for (const table of s.facts.createsTables ?? []) if (!created.has(table)) created.set(table, s.index);
    for (const { from, to } of renamedTo(s)) if (created.has(from) && !created.has(to)) created.set(to, s.index);
  }
  return created;
}

/** The line of text around `offset`, for a finding that has no statement. */
function lineAt(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset);
  return text.slice(start, end < 0 ? text.length : end);
}
