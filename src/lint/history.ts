import type { StatementFacts } from "./facts.js";

/**
 * What the folder's earlier statements say about the schema, as far as rules need it: each
 * column's type (to tell a type change that rewrites the table from one that does not) and the
 * validated `CHECK (col IS NOT NULL)` constraints (which let `SET NOT NULL` skip its scan).
 * Every migration of the folder feeds it in apply order, applied or not.
 */
export class SchemaHistory {
  readonly #types = new Map<string, string>();
  /** table → constraint name → the column it proves non-null and whether it is validated. */
  readonly #checks = new Map<string, Map<string, { column: string; validated: boolean }>>();

  typeOf(table: string, column: string): string | undefined {
    return this.#types.get(`${table}.${column}`);
  }

  /** A validated CHECK (column IS NOT NULL) exists on the table. */
  provesNotNull(table: string, column: string): boolean {
    for (const check of this.#checks.get(table)?.values() ?? []) if (check.column === column && check.validated) return true;
    return false;
  }

  /** Takes in what a statement did; call after the rules read the state before it. */
  record(facts: StatementFacts): void {
    for (const { table, column, type } of facts.columnTypes ?? []) this.#types.set(`${table}.${column}`, type);
    for (const table of facts.dropsTables ?? []) this.#forget(table);
    for (const { from, to } of facts.renamesTables ?? []) this.#move(from, to);
    const alter = facts.alter;
    if (alter === undefined) return;
    for (const action of alter.actions) {
      if (action.kind === "add-constraint" && action.notNullOf !== undefined) {
        const checks = this.#checks.get(alter.table) ?? this.#checks.set(alter.table, new Map()).get(alter.table)!;
        checks.set(action.name ?? `(unnamed ${checks.size})`, { column: action.notNullOf, validated: !action.notValid });
      } else if (action.kind === "validate-constraint") {
        const check = this.#checks.get(alter.table)?.get(action.name);
        if (check) check.validated = true;
      } else if (action.kind === "rename-column") {
        const type = this.#types.get(`${alter.table}.${action.from}`);
        this.#types.delete(`${alter.table}.${action.from}`);
        if (type !== undefined) this.#types.set(`${alter.table}.${action.to}`, type);
      } else if (action.kind === "drop-column") {
        this.#types.delete(`${alter.table}.${action.column}`);
      } else if (action.kind === "rename-table") {
        this.#move(alter.table, action.to);
      }
    }
  }

  #forget(table: string): void {
    for (const key of [...this.#types.keys()]) if (key.startsWith(`${table}.`)) this.#types.delete(key);
    this.#checks.delete(table);
  }

  #move(from: string, to: string): void {
    this.#forget(to);
    for (const [key, type] of [...this.#types]) {
      if (!key.startsWith(`${from}.`)) continue;
      this.#types.delete(key);
      this.#types.set(`${to}.${key.slice(from.length + 1)}`, type);
    }
    const checks = this.#checks.get(from);
    if (checks) {
      this.#checks.delete(from);
      this.#checks.set(to, checks);
    }
  }
}
