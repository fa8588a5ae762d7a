import type { Dialect, TestDatabase } from "../helpers/servers.js";
import type { MysqlClientMode } from "./sql-fidelity-kit.js";

/** One construct the servers run and a splitter could cut: a migration file written for one dialect. */
export interface Construct {
  name: string;
  dialect: Dialect;
  sql: string;
  mysqlClient?: MysqlClientMode;
  /** What the construct must have produced, beyond "same dump as the native client". */
  check?: (db: TestDatabase) => Promise<void>;
}

const MYSQL_TRIGGER = `CREATE TRIGGER accounts_bi BEFORE INSERT ON accounts FOR EACH ROW
BEGIN
  IF NEW.balance < 0 THEN
    SET NEW.status = 'overdrawn';
  ELSE
    SET NEW.status = CASE WHEN NEW.balance = 0 THEN 'empty' ELSE 'ok' END;
  END IF;
  SET NEW.note = CONCAT('checked; ', NEW.id);
END`;

const MYSQL_PROCEDURE = `CREATE DEFINER=CURRENT_USER PROCEDURE add_limit_column()
BEGIN
  IF NOT EXISTS (SELECT * FROM information_schema.columns
                 WHERE table_schema = DATABASE() AND table_name = 'accounts' AND column_name = 'credit_limit') THEN
    ALTER TABLE accounts ADD COLUMN credit_limit INT NOT NULL DEFAULT 100;
  END IF;
END`;

const MYSQL_FUNCTION = `CREATE FUNCTION risk(balance INT) RETURNS VARCHAR(10) DETERMINISTIC
BEGIN
  DECLARE r VARCHAR(10) DEFAULT 'low';
  probe: LOOP
    IF balance < 0 THEN SET r = 'high'; END IF;
    LEAVE probe;
  END LOOP probe;
  RETURN r;
END`;

const MYSQL_EVENT = `CREATE EVENT IF NOT EXISTS purge_empty ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO
BEGIN
  DELETE FROM accounts WHERE status = 'empty';
  UPDATE accounts SET note = 'purged;' WHERE status = 'overdrawn';
END`;

const ACCOUNTS = "CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL DEFAULT 0, status VARCHAR(10), note VARCHAR(50))";
const USE_ACCOUNTS = "INSERT INTO accounts (id, balance) VALUES (1, 10), (2, 0), (3, -5);\nUPDATE accounts SET note = risk(balance) WHERE id = 3;\n";

async function expectRows(db: TestDatabase, sql: string, expected: unknown[]): Promise<void> {
  const rows = (await db.query<Record<string, unknown>>(sql)).map((r) => Object.values(r).map((v) => (typeof v === "bigint" ? Number(v) : v)));
  if (JSON.stringify(rows) !== JSON.stringify(expected)) throw new Error(`${sql}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(rows)}`);
}

const accountsChecked = (db: TestDatabase) => expectRows(db, "SELECT id, status, note, credit_limit FROM accounts ORDER BY id", [[1, "ok", "checked; 1", 100], [2, "empty", "checked; 2", 100], [3, "overdrawn", "high", 100]]);

/** Shapes a splitter gets wrong, each valid on MariaDB, without result sets (so one result = one statement); § is a backtick. */
const COMPOUND_SHAPES = String.raw`CREATE TABLE t (a INT, b INT, status VARCHAR(20), §end§ INT);
CREATE PROCEDURE p1()
BEGIN
  DECLARE n INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN SET n = -1; END;
  outer_loop: LOOP
    SET n = CASE WHEN n > 3 THEN n ELSE n + 1 END;
    IF n > 2 THEN LEAVE outer_loop; END IF;
  END LOOP outer_loop;
  WHILE n < 10 DO SET n = n + 1; END WHILE;
  REPEAT SET n = n + LENGTH(REPEAT('x', 2)); UNTIL n > 20 END REPEAT;
  CASE n WHEN 1 THEN SET n = 2; ELSE BEGIN END; END CASE;
  DROP TABLE IF EXISTS scratch;
END;
CREATE PROCEDURE p2()
BEGIN
  DECLARE n INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION IF n = 0 THEN SET n = 1; END IF;
  SET n = IF(n > 0, 1, 2);
END;
CREATE FUNCTION g(x INT) RETURNS INT IF x > 0 THEN RETURN 1; ELSE RETURN 0; END IF;
CREATE FUNCTION h(x INT) RETURNS INT RETURN IF(x > 0, 1, 0);
CREATE OR REPLACE FUNCTION f(x INT) RETURNS VARCHAR(10) DETERMINISTIC
BEGIN
  IF x > 0 THEN RETURN 'pos;'; END IF;
  RETURN IF(x = 0, 'zero', 'neg');
END;
CREATE DEFINER = CURRENT_USER() PROCEDURE p3() COMMENT 'x;y' IF 1 THEN DO 1; DO 2; END IF;
CREATE PROCEDURE p4() DROP TABLE IF EXISTS x;
CREATE TRIGGER tr1 BEFORE UPDATE ON t FOR EACH ROW IF NEW.a < 0 THEN SET NEW.a = 0; END IF;
CREATE TRIGGER tr2 BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.b = @begin; SET NEW.end = 1; END;
CREATE TRIGGER IF NOT EXISTS tr3 BEFORE INSERT ON t FOR EACH ROW FOLLOWS tr2 IF NEW.a < 0 THEN SET NEW.status = 'neg;'; END IF;
CREATE TRIGGER tr4 BEFORE DELETE ON t FOR EACH ROW SET @d = CASE WHEN OLD.a THEN 1 ELSE 2 END;
CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO BEGIN DELETE FROM t; DELETE FROM t WHERE a < 0; END;
ALTER EVENT e DO BEGIN DELETE FROM t; DELETE FROM t WHERE b < 0; END;
BEGIN NOT ATOMIC DECLARE x INT; SET x = 1; END;
IF (SELECT 1) THEN DO 1; DO 2; END IF;
BEGIN;
INSERT INTO t (a) VALUES (1), (-1);
COMMIT;
# a comment; with a semicolon
DO 1 --1;
/*!40101 SET @x = 1 */;
/*M!100100 SET @y = 2 */;
CREATE TABLE §semi;colon§ (§a§§;§ INT, note VARCHAR(20) DEFAULT 'it\'s; "ok"');
SET @v := 1;
CALL p1();
CALL p2();
`.replaceAll("§", "`");

export const CONSTRUCTS: Construct[] = [
  {
    name: "executable_comments",
    dialect: "mysql",
    sql: `CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL);
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
INSERT INTO users VALUES (0, 'anonymous');
INSERT INTO users (name) VALUES ('first');
/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*M!100100 INSERT INTO users (name) VALUES ('mariadb; only') */;
/*!99999 INSERT INTO users (name) VALUES ('too new for this server') */;
`,
    check: (db) => expectRows(db, "SELECT id, name FROM users WHERE id < 2 ORDER BY id", [[0, "anonymous"], [1, "first"]]),
  },
  {
    name: "dump_baseline_fk_checks_off",
    dialect: "mysql",
    // mysqldump orders tables by name, so `comments` references `posts` before it exists.
    sql: `/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;

--
-- Table structure for table \`comments\`
--

DROP TABLE IF EXISTS \`comments\`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE \`comments\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`post_id\` int(11) NOT NULL,
  \`body\` text NOT NULL,
  PRIMARY KEY (\`id\`),
  KEY \`post_id\` (\`post_id\`),
  CONSTRAINT \`comments_ibfk_1\` FOREIGN KEY (\`post_id\`) REFERENCES \`posts\` (\`id\`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES \`comments\` WRITE;
/*!40000 ALTER TABLE \`comments\` DISABLE KEYS */;
INSERT INTO \`comments\` VALUES (0,1,'anonymous; zero'),(1,1,'it\\'s a \\"quote\\"; fine'),(2,1,'# not a comment');
/*!40000 ALTER TABLE \`comments\` ENABLE KEYS */;
UNLOCK TABLES;

DROP TABLE IF EXISTS \`posts\`;
CREATE TABLE \`posts\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`title\` varchar(100) NOT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
LOCK TABLES \`posts\` WRITE;
INSERT INTO \`posts\` VALUES (1,'hello -- world');
UNLOCK TABLES;

/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
`,
    check: (db) => expectRows(db, "SELECT id, body FROM comments ORDER BY id", [[0, "anonymous; zero"], [1, "it's a \"quote\"; fine"], [2, "# not a comment"]]),
  },
  {
    name: "compound_without_delimiter",
    dialect: "mysql",
    mysqlClient: "whole",
    sql: `${ACCOUNTS};\n${MYSQL_TRIGGER};\n${MYSQL_PROCEDURE};\nCALL add_limit_column();\nCALL add_limit_column();\nDROP PROCEDURE add_limit_column;\n${MYSQL_FUNCTION};\n${MYSQL_EVENT};\n${USE_ACCOUNTS}`,
    check: accountsChecked,
  },
  {
    name: "compound_shapes",
    dialect: "mysql",
    mysqlClient: "whole",
    sql: COMPOUND_SHAPES,
    check: (db) => expectRows(db, "SELECT a, status, b, \`end\` FROM t ORDER BY a", [[-1, "neg;", null, 1], [1, null, null, 1]]),
  },
  {
    name: "compound_with_delimiter",
    dialect: "mysql",
    sql: `${ACCOUNTS};\nDELIMITER //\n${MYSQL_TRIGGER}//\n${MYSQL_PROCEDURE} //\nDELIMITER ;\nCALL add_limit_column();\nDROP PROCEDURE add_limit_column;\nDELIMITER $$\n${MYSQL_FUNCTION}$$\nDELIMITER ;;\n${MYSQL_EVENT};;\nDELIMITER ;\n${USE_ACCOUNTS}`,
    check: accountsChecked,
  },
  {
    name: "escape_strings",
    dialect: "postgres",
    sql: `CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);
INSERT INTO notes VALUES (1, E'it\\'s; a test');
INSERT INTO notes VALUES (2, E'tab\\there; newline\\nand a backslash \\\\; done');
INSERT INTO notes VALUES (3, 'plain ''quoted''; text'), (4, U&'d\\0061t\\+000061; ok');
`,
    check: (db) => expectRows(db, "SELECT body FROM notes ORDER BY id", [["it's; a test"], ["tab\there; newline\nand a backslash \\; done"], ["plain 'quoted'; text"], ["data; ok"]]),
  },
  {
    name: "dollar_quote_tags",
    dialect: "postgres",
    sql: `CREATE TABLE audit (id serial PRIMARY KEY, msg text NOT NULL);
CREATE FUNCTION log_msg(m text) RETURNS void LANGUAGE plpgsql AS $fn1$
BEGIN
  INSERT INTO audit (msg) VALUES (m || '; logged');
END
$fn1$;
CREATE FUNCTION audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $body_2$
BEGIN
  NEW.msg := NEW.msg || $inner$ [checked; ok]$inner$;
  RETURN NEW;
END;
$body_2$;
CREATE TRIGGER audit_bi BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_stamp();
DO $do_3$
BEGIN
  PERFORM log_msg('from a DO; block');
  PERFORM log_msg($$nested $$ || 'dollar; quotes');
END
$do_3$;
`,
    check: (db) => expectRows(db, "SELECT msg FROM audit ORDER BY id", [["from a DO; block; logged [checked; ok]"], ["nested dollar; quotes; logged [checked; ok]"]]),
  },
  {
    name: "begin_atomic",
    dialect: "postgres",
    sql: `CREATE TABLE counters (name text PRIMARY KEY, n int NOT NULL);
CREATE FUNCTION counter_total() RETURNS bigint LANGUAGE sql
BEGIN ATOMIC
  SELECT sum(n) FROM counters;
END;
CREATE PROCEDURE seed_counters() LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO counters VALUES ('a;', 1);
  INSERT INTO counters VALUES ('b', 2);
END;
CALL seed_counters();
CREATE TABLE totals AS SELECT counter_total() AS total;
`,
    check: (db) => expectRows(db, "SELECT total FROM totals", [["3"]]),
  },
  {
    name: "trigger_with_case",
    dialect: "sqlite",
    sql: `CREATE TABLE scores (id INTEGER PRIMARY KEY, points INTEGER NOT NULL, grade TEXT);
CREATE TABLE grade_log (score_id INTEGER, note TEXT);
CREATE TRIGGER scores_grade AFTER INSERT ON scores
BEGIN
  UPDATE scores SET grade = CASE
      WHEN NEW.points >= 90 THEN 'A'
      WHEN NEW.points >= 50 THEN 'B;'
      ELSE 'C'
    END
  WHERE id = NEW.id;
  INSERT INTO grade_log VALUES (NEW.id, CASE WHEN NEW.points < 50 THEN 'low; retry' ELSE 'ok' END);
END;
INSERT INTO scores (points) VALUES (95), (60), (10);
`,
    check: (db) => expectRows(db, "SELECT s.grade, l.note FROM scores s JOIN grade_log l ON l.score_id = s.id ORDER BY s.id", [["A", "ok"], ["B;", "ok"], ["C", "low; retry"]]),
  },
];
