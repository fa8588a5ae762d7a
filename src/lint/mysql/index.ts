import type { LintDialect } from "../rule.js";
import { analyseMysql } from "./analyse.js";

/** MySQL and MariaDB: facts from the splitter's tokens. No parser of MySQL's grammar runs here, so syntax is left to the server. */
export const mysqlLint: LintDialect = {
  analyse: analyseMysql,
  advice: {
    "add-not-null-column": {
      message: "adding a NOT NULL column without a default fills every existing row with the type's implicit default (0, '', a zero date), which is rarely the value meant",
      fix: "give the column an explicit DEFAULT, or add it nullable, backfill it, then make it NOT NULL",
    },
    "truncate": {
      message: "TRUNCATE deletes every row; it commits at once and cannot be rolled back",
      fix: "make sure no release still needs the rows; delete in batches if the table is busy",
    },
  },
};
