import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, CreateStmt, DefElem, DropStmt, IndexStmt, Node, RenameStmt, TransactionStmt } from "libpg-query";
import type { SqlStatement } from "../../sql/statement.js";
import type { AddColumn, AlterAction, ConstraintKind, StatementFacts } from "../facts.js";
import { constraintsOf, isNullConstant, isSerial, lastName, names, relName, typeText, unwrap } from "./nodes.js";

/**
 * Facts of one statement from PostgreSQL's own parse tree (libpg-query): no text matching, so a
 * comment or a string that looks like `CONCURRENTLY` never counts.
 */
export function analysePostgres(statement: SqlStatement): StatementFacts {
  const top = unwrap(statement.node);
  if (top === undefined) return { kind: "other" };
  const [type, body] = top;
  switch (type) {
    case "CreateStmt": {
      const stmt = body as CreateStmt;
      const table = relName(stmt.relation);
      const columns = (stmt.tableElts ?? []).flatMap((elt) => {
        const def = (elt as { ColumnDef?: ColumnDef }).ColumnDef;
        return def?.colname === undefined ? [] : [{ table, column: def.colname, type: typeText(def.typeName) }];
      });
      return { kind: "ddl", createsTables: [table], columnTypes: columns };
    }
    case "CreateTableAsStmt": {
      const stmt = body as { objtype?: string; into?: { rel?: { relname?: string } } };
      return stmt.objtype === "OBJECT_TABLE" ? { kind: "ddl", createsTables: [stmt.into?.rel?.relname ?? ""] } : { kind: "ddl" };
    }
    case "DropStmt":
      return drop(body as DropStmt);
    case "TruncateStmt":
      return { kind: "ddl", truncates: ((body as { relations?: Node[] }).relations ?? []).map((r) => relName((r as { RangeVar?: { relname?: string } }).RangeVar)) };
    case "RenameStmt":
      return rename(body as RenameStmt);
    case "AlterTableStmt":
      return alterTable(body as AlterTableStmt);
    case "IndexStmt": {
      const stmt = body as IndexStmt;
      const concurrently = stmt.concurrent === true;
      return { kind: "ddl", createsIndex: { table: relName(stmt.relation), concurrently }, ...(concurrently ? { needsNoTransaction: `CREATE ${stmt.unique ? "UNIQUE " : ""}INDEX CONCURRENTLY` } : {}) };
    }
    case "ReindexStmt": {
      const stmt = body as { kind?: string; params?: Node[] };
      const concurrently = (stmt.params ?? []).some((p) => (p as { DefElem?: DefElem }).DefElem?.defname === "concurrently");
      if (concurrently) return { kind: "ddl", needsNoTransaction: "REINDEX … CONCURRENTLY" };
      if (stmt.kind === "REINDEX_OBJECT_SYSTEM" || stmt.kind === "REINDEX_OBJECT_DATABASE") return { kind: "ddl", needsNoTransaction: stmt.kind === "REINDEX_OBJECT_SYSTEM" ? "REINDEX SYSTEM" : "REINDEX DATABASE" };
      return { kind: "ddl" };
    }
    case "VacuumStmt":
      return (body as { is_vacuumcmd?: boolean }).is_vacuumcmd ? { kind: "other", needsNoTransaction: "VACUUM" } : { kind: "other" };
    case "ClusterStmt":
      return (body as { relation?: unknown }).relation === undefined ? { kind: "other", needsNoTransaction: "CLUSTER without a table" } : { kind: "other" };
    case "CreatedbStmt":
      return { kind: "other", needsNoTransaction: "CREATE DATABASE" };
    case "DropdbStmt":
      return { kind: "other", needsNoTransaction: "DROP DATABASE" };
    case "AlterSystemStmt":
      return { kind: "other", needsNoTransaction: "ALTER SYSTEM" };
    case "CreateTableSpaceStmt":
      return { kind: "other", needsNoTransaction: "CREATE TABLESPACE" };
    case "DropTableSpaceStmt":
      return { kind: "other", needsNoTransaction: "DROP TABLESPACE" };
    case "AlterDatabaseStmt":
      return options(body).some((o) => o.defname === "tablespace") ? { kind: "other", needsNoTransaction: "ALTER DATABASE … SET TABLESPACE" } : { kind: "other" };
    case "CreateSubscriptionStmt":
      return createsSlot(options(body)) ? { kind: "other", needsNoTransaction: "CREATE SUBSCRIPTION (creating a replication slot)" } : { kind: "other" };
    case "TransactionStmt":
      return transaction(body as TransactionStmt);
    case "AlterEnumStmt": {
      const stmt = body as { typeName?: Node[]; newVal?: string; oldVal?: string };
      // RENAME VALUE has an oldVal; only ADD VALUE makes a value that cannot be used before commit.
      return stmt.newVal !== undefined && stmt.oldVal === undefined ? { kind: "ddl", addsEnumValue: { type: lastName(stmt.typeName), value: stmt.newVal } } : { kind: "ddl" };
    }
    case "InsertStmt":
    case "UpdateStmt":
    case "DeleteStmt":
    case "MergeStmt":
    case "CopyStmt":
      return { kind: "dml" };
    case "SelectStmt":
      return { kind: "query" };
    default:
      return { kind: type.endsWith("Stmt") && /^(Create|Alter|Drop|Comment|Grant|Revoke|Define|Composite|Rule|View)/.test(type) ? "ddl" : "other" };
  }
}

function drop(stmt: DropStmt): StatementFacts {
  const objects = (stmt.objects ?? []).map((o) => names((o as { List?: { items?: Node[] } }).List?.items).at(-1) ?? "");
  if (stmt.removeType === "OBJECT_TABLE") return { kind: "ddl", dropsTables: objects };
  if (stmt.removeType === "OBJECT_INDEX" && stmt.concurrent) return { kind: "ddl", needsNoTransaction: "DROP INDEX CONCURRENTLY" };
  return { kind: "ddl" };
}

function rename(stmt: RenameStmt): StatementFacts {
  const table = relName(stmt.relation);
  if (stmt.renameType === "OBJECT_TABLE") return { kind: "ddl", renamesTables: [{ from: table, to: stmt.newname ?? "" }] };
  if (stmt.renameType === "OBJECT_COLUMN" && stmt.relationType === "OBJECT_TABLE") {
    return { kind: "ddl", alter: { table, actions: [{ kind: "rename-column", from: stmt.subname ?? "", to: stmt.newname ?? "" }] } };
  }
  return { kind: "ddl" };
}

function transaction(stmt: TransactionStmt): StatementFacts {
  switch (stmt.kind) {
    case "TRANS_STMT_BEGIN":
    case "TRANS_STMT_START":
      return { kind: "transaction", transactionControl: "BEGIN" };
    case "TRANS_STMT_COMMIT":
      return { kind: "transaction", transactionControl: "COMMIT" };
    case "TRANS_STMT_ROLLBACK":
      return { kind: "transaction", transactionControl: "ROLLBACK" };
    case "TRANS_STMT_PREPARE":
      return { kind: "transaction", transactionControl: "PREPARE TRANSACTION" };
    case "TRANS_STMT_COMMIT_PREPARED":
      return { kind: "transaction", needsNoTransaction: "COMMIT PREPARED" };
    case "TRANS_STMT_ROLLBACK_PREPARED":
      return { kind: "transaction", needsNoTransaction: "ROLLBACK PREPARED" };
    default:
      // SAVEPOINT, RELEASE, ROLLBACK TO: they work inside the migration's transaction.
      return { kind: "transaction" };
  }
}

function alterTable(stmt: AlterTableStmt): StatementFacts {
  if (stmt.objtype !== "OBJECT_TABLE") return { kind: "ddl" };
  const table = relName(stmt.relation);
  const actions: AlterAction[] = [];
  const columnTypes: { table: string; column: string; type: string }[] = [];
  let needsNoTransaction: string | undefined;
  for (const item of stmt.cmds ?? []) {
    const cmd = (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
    if (cmd === undefined) continue;
    const def = cmd.def as { ColumnDef?: ColumnDef; Constraint?: Constraint; PartitionCmd?: { concurrent?: boolean } } | undefined;
    switch (cmd.subtype) {
      case "AT_AddColumn":
        if (def?.ColumnDef) {
          actions.push(addColumn(def.ColumnDef));
          columnTypes.push({ table, column: def.ColumnDef.colname ?? "", type: typeText(def.ColumnDef.typeName) });
        }
        break;
      case "AT_DropColumn":
        actions.push({ kind: "drop-column", column: cmd.name ?? "" });
        break;
      case "AT_AlterColumnType": {
        const type = typeText(def?.ColumnDef?.typeName);
        actions.push({ kind: "column-type", column: cmd.name ?? "", type, using: def?.ColumnDef?.raw_default !== undefined });
        columnTypes.push({ table, column: cmd.name ?? "", type });
        break;
      }
      case "AT_SetNotNull":
        actions.push({ kind: "set-not-null", column: cmd.name ?? "" });
        break;
      case "AT_AddConstraint":
        if (def?.Constraint) actions.push(addConstraint(def.Constraint));
        break;
      case "AT_ValidateConstraint":
        actions.push({ kind: "validate-constraint", name: cmd.name ?? "" });
        break;
      case "AT_DetachPartition":
        if (def?.PartitionCmd?.concurrent) needsNoTransaction = "ALTER TABLE … DETACH PARTITION … CONCURRENTLY";
        break;
    }
  }
  return { kind: "ddl", alter: { table, actions }, ...(columnTypes.length > 0 ? { columnTypes } : {}), ...(needsNoTransaction ? { needsNoTransaction } : {}) };
}

function addColumn(def: ColumnDef): AddColumn {
  const constraints = constraintsOf(def.constraints);
  const notNull = constraints.some((c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY");
  const filled = isSerial(def.typeName) || constraints.some((c) =>
    (c.contype === "CONSTR_DEFAULT" && !isNullConstant(c.raw_expr)) || c.contype === "CONSTR_IDENTITY" || c.contype === "CONSTR_GENERATED");
  return { kind: "add-column", column: def.colname ?? "", notNull, filled };
}

const CONSTRAINT_KINDS: Readonly<Record<string, ConstraintKind>> = {
  CONSTR_FOREIGN: "foreign-key", CONSTR_CHECK: "check", CONSTR_UNIQUE: "unique", CONSTR_PRIMARY: "primary-key",
};

function addConstraint(c: Constraint): AlterAction {
  const notNullOf = c.contype === "CONSTR_CHECK" ? notNullColumn(c.raw_expr) : undefined;
  return {
    kind: "add-constraint",
    constraint: CONSTRAINT_KINDS[c.contype ?? ""] ?? "other",
    ...(c.conname === undefined ? {} : { name: c.conname }),
    notValid: c.skip_validation === true,
    usingIndex: c.indexname !== undefined,
    ...(notNullOf === undefined ? {} : { notNullOf }),
  };
}

/** `CHECK (col IS NOT NULL)`: the column it proves non-null. */
function notNullColumn(expr: Node | undefined): string | undefined {
  const test = (expr as { NullTest?: { arg?: Node; nulltesttype?: string } } | undefined)?.NullTest;
  if (test?.nulltesttype !== "IS_NOT_NULL") return undefined;
  const fields = (test.arg as { ColumnRef?: { fields?: Node[] } } | undefined)?.ColumnRef?.fields;
  return fields?.length === 1 ? names(fields)[0] : undefined;
}

function options(body: Record<string, unknown>): DefElem[] {
  return ((body.options as Node[] | undefined) ?? []).flatMap((o) => {
    const def = (o as { DefElem?: DefElem }).DefElem;
    return def === undefined ? [] : [def];
  });
}

/** CREATE SUBSCRIPTION creates a replication slot (and then cannot run in a transaction) unless `create_slot = false` or `connect = false`. */
function createsSlot(opts: DefElem[]): boolean {
  return !opts.some((o) => (o.defname === "create_slot" || o.defname === "connect") && isFalse(o.arg));
}

function isFalse(arg: Node | undefined): boolean {
  const value = arg as { Boolean?: { boolval?: boolean }; String?: { sval?: string }; A_Const?: { boolval?: { boolval?: boolean }; sval?: { sval?: string } } } | undefined;
  if (value?.Boolean) return value.Boolean.boolval !== true;
  const text = value?.String?.sval ?? value?.A_Const?.sval?.sval;
  if (text !== undefined) return ["false", "off", "0", "no"].includes(text.toLowerCase());
  if (value?.A_Const?.boolval) return value.A_Const.boolval.boolval !== true;
  return false;
}
