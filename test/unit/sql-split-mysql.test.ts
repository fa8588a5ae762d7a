import { describe, expect, it } from "vitest";
import { splitStatements } from "../../dist/src/sql/split-statements.js";

async function split(text: string): Promise<[number, string][]> {
  return (await splitStatements(text, "mysql")).map((s) => [s.line, s.text]);
}

const texts = async (text: string): Promise<string[]> => (await split(text)).map(([, t]) => t);

describe("MySQL/MariaDB splitter: executable comments", () => {
  it("keeps mysqldump's /*!NNNNN … */ statements as SQL for the server", async () => {
    const dump = [
      "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;",
      "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;",
      "/*M!100100 SET @x = 1 */;",
      "/*! SET @y = 2 */;",
      "/* a plain comment; not SQL */",
      "INSERT INTO users VALUES (0, 'anonymous');",
    ].join("\n");
    expect(await split(dump)).toEqual([
      [1, "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */"],
      [2, "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */"],
      [3, "/*M!100100 SET @x = 1 */"],
      [4, "/*! SET @y = 2 */"],
      [6, "INSERT INTO users VALUES (0, 'anonymous')"],
    ]);
  });

  it("keeps a trigger written across executable comments whole, as mysqldump writes it", async () => {
    const text = "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END */;\nSELECT 1;";
    expect(await texts(text)).toEqual([text.split("\n")[0]!.slice(0, -1), "SELECT 1"]);
  });
});

describe("MySQL/MariaDB splitter: comments, quotes and escapes", () => {
  it("reads `#` and `-- ` comments, but `--` without a space is two minus signs", async () => {
    expect(await split("# a; comment\nSELECT 1 --1;\n-- another; comment\nSELECT 2;--\nSELECT 3")).toEqual([
      [2, "SELECT 1 --1"],
      [4, "SELECT 2"],
      [5, "SELECT 3"],
    ]);
  });

  it("keeps `;` inside strings with backslash escapes and doubled quotes, and inside backtick names", async () => {
    expect(await texts("SELECT 'it\\'s; a test', \"say \\\"hi\\\";\", 'a'';b';\nCREATE TABLE `semi;colon` (`a``;` INT);")).toEqual([
      "SELECT 'it\\'s; a test', \"say \\\"hi\\\";\", 'a'';b'",
      "CREATE TABLE `semi;colon` (`a``;` INT)",
    ]);
  });

  it("drops statements of comments only and finds none in an empty script", async () => {
    expect(await split("-- nothing\n/* here */\n# at all\n;;\n")).toEqual([]);
    expect(await split("")).toEqual([]);
  });
});

describe("MySQL/MariaDB splitter: compound bodies without DELIMITER", () => {
  it("keeps a trigger body with several statements whole", async () => {
    const trigger = "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\nEND";
    expect(await split(`CREATE TABLE t (a INT, b INT);\n${trigger};\nINSERT INTO t VALUES (0, 0);`)).toEqual([
      [1, "CREATE TABLE t (a INT, b INT)"],
      [2, trigger],
      [7, "INSERT INTO t VALUES (0, 0)"],
    ]);
  });

  it("keeps a conditional procedure (DEFINER, IF NOT EXISTS … THEN, nested blocks, labels, loops) whole", async () => {
    const procedure = [
      "CREATE DEFINER=`app`@`%` PROCEDURE add_col()",
      "BEGIN",
      "  DECLARE n INT DEFAULT 0;",
      "  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN SET n = -1; END;",
      "  IF NOT EXISTS (SELECT * FROM information_schema.columns WHERE column_name = 'c') THEN",
      "    ALTER TABLE t ADD COLUMN c INT;",
      "  ELSEIF n = 1 THEN SET n = IF(n > 0, 1, 2);",
      "  ELSE",
      "    outer_loop: LOOP",
      "      SET n = CASE WHEN n > 3 THEN n ELSE n + 1 END;",
      "      IF n > 5 THEN LEAVE outer_loop; END IF;",
      "    END LOOP outer_loop;",
      "    WHILE n < 10 DO SET n = n + 1; END WHILE;",
      "    REPEAT SET n = n + LENGTH(REPEAT('x', 2)); UNTIL n > 20 END REPEAT;",
      "    CASE n WHEN 1 THEN SET n = 2; ELSE BEGIN END; END CASE;",
      "  END IF;",
      "  DROP TABLE IF EXISTS scratch;",
      "END",
    ].join("\n");
    expect(await split(`${procedure};\nCALL add_col();\nDROP PROCEDURE add_col;`)).toEqual([
      [1, procedure],
      [19, "CALL add_col()"],
      [20, "DROP PROCEDURE add_col"],
    ]);
  });

  it("keeps functions and events whole, with OR REPLACE, IF NOT EXISTS and bodies that start with IF", async () => {
    const fn = "CREATE OR REPLACE FUNCTION f(x INT) RETURNS VARCHAR(10) DETERMINISTIC\nBEGIN\n  IF x > 0 THEN RETURN 'pos'; END IF;\n  RETURN IF(x = 0, 'zero', 'neg');\nEND";
    const fnBareIf = "CREATE FUNCTION g(x INT) RETURNS INT IF x > 0 THEN RETURN 1; ELSE RETURN 0; END IF";
    const fnReturn = "CREATE FUNCTION h(x INT) RETURNS INT RETURN IF(x > 0, 1, 0)";
    const event = "CREATE EVENT IF NOT EXISTS e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t WHERE a < 0; DELETE FROM t WHERE b < 0; END";
    const alterEvent = "ALTER EVENT e DO BEGIN DELETE FROM t; DELETE FROM t; END";
    const trig = "CREATE TRIGGER IF NOT EXISTS tr BEFORE UPDATE ON t FOR EACH ROW FOLLOWS t_bi IF NEW.a < 0 THEN SET NEW.a = 0; END IF";
    const proc = "CREATE DEFINER = CURRENT_USER() PROCEDURE p() COMMENT 'x;y' IF 1 THEN SELECT 1; END IF";
    expect(await texts([fn, fnBareIf, fnReturn, event, alterEvent, trig, proc, "SELECT 1"].join(";\n"))).toEqual([fn, fnBareIf, fnReturn, event, alterEvent, trig, proc, "SELECT 1"]);
  });

  it("ends single-statement routine bodies and plain statements at the first `;`", async () => {
    expect(await texts("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = CASE WHEN NEW.b THEN 1 ELSE 2 END;\nCREATE PROCEDURE p() DROP TABLE IF EXISTS x;\nSELECT IF(1, 2, 3), CASE WHEN 1 THEN 2 END;\nCREATE TABLE trigger_log (id INT);")).toEqual([
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = CASE WHEN NEW.b THEN 1 ELSE 2 END",
      "CREATE PROCEDURE p() DROP TABLE IF EXISTS x",
      "SELECT IF(1, 2, 3), CASE WHEN 1 THEN 2 END",
      "CREATE TABLE trigger_log (id INT)",
    ]);
  });

  it("reads `BEGIN;` as a transaction and MariaDB's `BEGIN NOT ATOMIC`, top-level IF and labels as blocks", async () => {
    expect(await texts("BEGIN;\nBEGIN WORK;\nBEGIN NOT ATOMIC DECLARE x INT; SET x = 1; END;\nIF (SELECT 1) THEN SELECT 1; SELECT 2; END IF;\nl1: BEGIN NOT ATOMIC SELECT 1; END l1;\nCOMMIT;")).toEqual([
      "BEGIN",
      "BEGIN WORK",
      "BEGIN NOT ATOMIC DECLARE x INT; SET x = 1; END",
      "IF (SELECT 1) THEN SELECT 1; SELECT 2; END IF",
      "l1: BEGIN NOT ATOMIC SELECT 1; END l1",
      "COMMIT",
    ]);
  });

  it("treats a keyword after `.` or `@` as a name", async () => {
    const trigger = "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.end = @begin; SET NEW.if = 1; END";
    expect(await texts(`${trigger};\nSELECT 1;`)).toEqual([trigger, "SELECT 1"]);
  });
});

describe("MySQL/MariaDB splitter: DELIMITER lines", () => {
  it("honours //, $$ and ;; and sends each delimited block as written", async () => {
    const text = [
      "DELIMITER //",
      "CREATE PROCEDURE a() BEGIN SELECT 1; END//",
      "DELIMITER $$",
      "CREATE PROCEDURE b() BEGIN SELECT 2; END$$",
      "delimiter ;;",
      "/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END */;;",
      "DELIMITER ;",
      "SELECT 3;",
    ].join("\n");
    expect(await split(text)).toEqual([
      [2, "CREATE PROCEDURE a() BEGIN SELECT 1; END"],
      [4, "CREATE PROCEDURE b() BEGIN SELECT 2; END"],
      [6, "/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END */"],
      [8, "SELECT 3"],
    ]);
  });
});

describe("statement positions", () => {
  it("gives offsets into the script and 1-based columns in characters", async () => {
    const text = "SELECT '😀'; SELECT 'é';\n  SELECT 3";
    const statements = await splitStatements(text, "mysql");
    // The emoji is two string indexes but one character.
    expect(statements.map((s) => [s.line, s.column, s.start, s.end])).toEqual([[1, 1, 0, 11], [1, 13, 13, 23], [2, 3, 27, 35]]);
    for (const s of statements) expect(text.slice(s.start, s.end)).toBe(s.text);
  });
});
