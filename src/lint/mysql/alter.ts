import { readColumnDef } from "../column-def.js";
import type { AlterAction } from "../facts.js";
import type { Tokens } from "../tokens.js";

export interface MysqlAlter {
  actions: AlterAction[];
  /** Why the server would copy the table, one reason per operation that needs it. */
  copies: string[];
  /** `ALGORITHM=…` as written, upper-cased. */
  algorithm?: string;
}

/**
 * Reads the options of `ALTER TABLE name …` from token `from`: what each does and which ones
 * MySQL/MariaDB can only run with ALGORITHM=COPY (checked against MariaDB 10.11, which refuses
 * ALGORITHM=INPLACE for each of them): a CHECK constraint, a foreign key while
 * foreign_key_checks is on, a column type change, dropping the primary key without adding one,
 * a STORED generated column, a character-set conversion. Partitioning changes are left out:
 * MariaDB takes no ALGORITHM clause beside them, so the fix would not parse.
 */
export function readAlterOptions(tokens: Tokens, from: number): MysqlAlter {
  const actions: AlterAction[] = [];
  const copies: string[] = [];
  let algorithm: string | undefined;
  let dropsPrimaryKey = false;
  let addsPrimaryKey = false;
  for (const [start, end] of tokens.splitTopLevel(from)) {
    const first = tokens.word(start);
    if (first === "ALGORITHM") {
      algorithm = tokens.word(tokens.punct(start + 1, "=") ? start + 2 : start + 1);
    } else if (first === "ADD") {
      let i = start + 1;
      if (tokens.is(i, "CONSTRAINT")) i += tokens.is(i + 1, "FOREIGN", "CHECK", "UNIQUE", "PRIMARY") ? 1 : 2;
      const what = tokens.word(i);
      if (what === "FOREIGN") {
        actions.push({ kind: "add-constraint", constraint: "foreign-key", notValid: false, usingIndex: false });
        copies.push("adding a FOREIGN KEY (while foreign_key_checks is on)");
      } else if (what === "CHECK") {
        actions.push({ kind: "add-constraint", constraint: "check", notValid: false, usingIndex: false });
        copies.push("adding a CHECK constraint");
      } else if (what === "PRIMARY") {
        addsPrimaryKey = true;
      } else if (what === "UNIQUE" || what === "INDEX" || what === "KEY" || what === "FULLTEXT" || what === "SPATIAL" || what === "PARTITION") {
        // Built in place; a first FULLTEXT index rebuilds the table but does not copy it.
      } else {
        if (tokens.is(i, "COLUMN")) i++;
        const parts = tokens.punct(i, "(") ? tokens.splitTopLevel(i + 1, tokens.closing(i)) : [[i, end] as [number, number]];
        for (const [s, e] of parts) {
          const def = readColumnDef(tokens, s, e);
          if (def === undefined) continue;
          actions.push({ kind: "add-column", column: def.column, notNull: def.notNull, filled: def.filled });
          if (def.generated === "STORED" || def.generated === "PERSISTENT") copies.push(`adding the STORED generated column ${def.column}`);
        }
      }
    } else if (first === "DROP") {
      const what = tokens.word(start + 1);
      if (what === "PRIMARY") dropsPrimaryKey = true;
      else if (what === "INDEX" || what === "KEY" || what === "FOREIGN" || what === "CHECK" || what === "CONSTRAINT" || what === "PARTITION") continue;
      else {
        const column = tokens.name(what === "COLUMN" ? start + 2 : start + 1);
        if (column !== undefined) actions.push({ kind: "drop-column", column });
      }
    } else if (first === "MODIFY") {
      const at = tokens.is(start + 1, "COLUMN") ? start + 2 : start + 1;
      const def = readColumnDef(tokens, at, end);
      if (def) {
        actions.push({ kind: "column-type", column: def.column, type: def.type, using: false });
        copies.push(`MODIFY COLUMN ${def.column} (a type change copies the table)`);
      }
    } else if (first === "CHANGE") {
      const at = tokens.is(start + 1, "COLUMN") ? start + 2 : start + 1;
      const from = tokens.name(at);
      const def = readColumnDef(tokens, at + 1, end);
      if (from !== undefined && def) {
        if (def.column !== from) actions.push({ kind: "rename-column", from, to: def.column });
        actions.push({ kind: "column-type", column: def.column, type: def.type, using: false });
        copies.push(`CHANGE COLUMN ${from} (a type change copies the table; RENAME COLUMN renames in place)`);
      }
    } else if (first === "RENAME") {
      if (tokens.is(start + 1, "COLUMN")) {
        const from = tokens.name(start + 2);
        const to = tokens.name(start + 4);
        if (from !== undefined && to !== undefined) actions.push({ kind: "rename-column", from, to });
      } else if (!tokens.is(start + 1, "INDEX", "KEY")) {
        const at = tokens.is(start + 1, "TO", "AS") ? start + 2 : start + 1;
        const to = tokens.qualifiedName(at);
        if (to) actions.push({ kind: "rename-table", to: to.name });
      }
    } else if (first === "CONVERT") {
      copies.push("CONVERT TO CHARACTER SET (rewrites every text column)");
    }
  }
  if (dropsPrimaryKey && !addsPrimaryKey) copies.push("dropping the primary key without adding another");
  return { actions, copies, ...(algorithm === undefined ? {} : { algorithm }) };
}
