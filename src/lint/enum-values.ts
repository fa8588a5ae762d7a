import type { AnalysedMigration } from "./analyse-source.js";
import type { AnalysedStatement, LintDialect } from "./rule.js";

/** A statement that uses an enum value before the transaction that added it commits. */
export interface EnumValueUse {
  migration: AnalysedMigration;
  statement: AnalysedStatement;
  value: string;
  type: string;
  /** Where the value was added. */
  added: { migration: AnalysedMigration; statement: AnalysedStatement };
}

/**
 * Walks the statements of one transaction (one migration's, or a whole run's under
 * `transaction_mode: all`) and finds string constants equal to a value `ALTER TYPE … ADD VALUE`
 * added earlier in it: PostgreSQL refuses those ("unsafe use of new value") until the
 * transaction commits, even when the type itself was created in the same transaction
 * (checked on PostgreSQL 15; the values listed in CREATE TYPE are usable at once).
 */
export function enumValueUses(scope: readonly AnalysedMigration[], dialect: LintDialect): EnumValueUse[] {
  const strings = dialect.strings;
  if (strings === undefined) return [];
  const uses: EnumValueUse[] = [];
  const added = new Map<string, { type: string; migration: AnalysedMigration; statement: AnalysedStatement }>();
  for (const migration of scope) {
    for (const statement of migration.statements) {
      const { facts } = statement;
      if (facts.addsEnumValue !== undefined) {
        added.set(facts.addsEnumValue.value, { type: facts.addsEnumValue.type, migration, statement });
        continue;
      }
      if (added.size === 0) continue;
      const seen = new Set<string>();
      for (const value of strings(statement)) {
        const source = added.get(value);
        if (source === undefined || seen.has(value)) continue;
        seen.add(value);
        uses.push({ migration, statement, value, type: source.type, added: { migration: source.migration, statement: source.statement } });
      }
    }
  }
  return uses;
}
