/**
 * What a statement does, as the rules see it: the same shape for every dialect. Each dialect's
 * analyser fills it from what its parser sees (PostgreSQL's parse tree; MySQL and SQLite
 * tokens), so a rule such as "dropping a column" is written once.
 *
 * Table and column names are as the dialect compares them: PostgreSQL's parser folds unquoted
 * names to lower case; MySQL and SQLite names are lower-cased (both compare them without case).
 */
export type StatementKind = "ddl" | "dml" | "query" | "transaction" | "other";

export interface AddColumn {
  kind: "add-column";
  column: string;
  notNull: boolean;
  /** A default, identity, serial or generated value fills existing rows (`DEFAULT NULL` is none). */
  filled: boolean;
  /** SQLite: the value is computed per row (`DEFAULT CURRENT_TIMESTAMP`, `DEFAULT (expr)`, `… STORED`). */
  perRowValue?: string;
}

export type ConstraintKind = "foreign-key" | "check" | "unique" | "primary-key" | "other";

export type AlterAction =
  | AddColumn
  | { kind: "drop-column"; column: string }
  | { kind: "rename-column"; from: string; to: string }
  | { kind: "rename-table"; to: string }
  /** `type`: the new type as written; `using`: a USING expression rewrites every row anyway. */
  | { kind: "column-type"; column: string; type: string; using: boolean }
  | { kind: "set-not-null"; column: string }
  | { kind: "add-constraint"; constraint: ConstraintKind; name?: string; notValid: boolean; usingIndex: boolean; notNullOf?: string }
  | { kind: "validate-constraint"; name: string };

export interface StatementFacts {
  kind: StatementKind;
  createsTables?: string[];
  dropsTables?: string[];
  truncates?: string[];
  /** `RENAME TABLE a TO b` and `ALTER TABLE a RENAME TO b`. */
  renamesTables?: { from: string; to: string }[];
  alter?: { table: string; actions: AlterAction[] };
  createsIndex?: { table: string; concurrently: boolean };
  /** BEGIN, COMMIT, ROLLBACK, … as written: it ends or starts a transaction. */
  transactionControl?: string;
  /** The statement cannot run inside a transaction block; says what it is (`CREATE INDEX CONCURRENTLY`). */
  needsNoTransaction?: string;
  /** `ALTER TYPE t ADD VALUE 'v'`. */
  addsEnumValue?: { type: string; value: string };
  /** Column types it defines or changes, for later type changes (PostgreSQL). */
  columnTypes?: { table: string; column: string; type: string }[];
  /** MySQL: why the server would copy the table (no ALGORITHM=INSTANT|INPLACE|NOCOPY given). */
  copiesTable?: string[];
  /** SQLite: an ALTER TABLE form SQLite does not support, described. */
  unsupportedAlter?: string;
}
