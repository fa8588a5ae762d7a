/**
 * Long migration histories generated in code, in the shapes real projects accumulate over
 * years. Each entry is one migration file.
 */
export interface HistoryFile {
  name: string;
  sql: string;
}

/**
 * PostgreSQL, 160 migrations: tables with escape strings, plpgsql functions and triggers with
 * numbered dollar tags, DO blocks, enum values added and used by the next migration (ALTER TYPE
 * … ADD VALUE cannot be used in its own transaction), BEGIN ATOMIC functions, and every 20th
 * file a `-- stagecraft:no-transaction` one with CREATE INDEX CONCURRENTLY.
 */
export function postgresHistory(count = 160): HistoryFile[] {
  const files: HistoryFile[] = [{
    name: "tickets",
    sql: "CREATE TYPE ticket_state AS ENUM ('new');\nCREATE TABLE tickets (id serial PRIMARY KEY, state ticket_state NOT NULL DEFAULT 'new', title text NOT NULL);\nCREATE TABLE events (id serial PRIMARY KEY, ticket_id int REFERENCES tickets (id), note text);\n",
  }];
  let lastState = "new";
  const tables: string[] = [];
  for (let i = 1; files.length < count; i++) {
    if (i % 20 === 0 && tables.length > 0) {
      const table = tables[tables.length - 1]!;
      files.push({ name: `concurrent_index_${i}`, sql: `-- stagecraft:no-transaction\nCREATE INDEX CONCURRENTLY ${table}_label_idx ON ${table} (label);\nCREATE INDEX CONCURRENTLY events_note_${i}_idx ON events (note) WHERE id > ${i};\n` });
      continue;
    }
    switch (i % 6) {
      case 0: {
        const table = `items_${i}`;
        tables.push(table);
        files.push({ name: `create_${table}`, sql: `CREATE TABLE ${table} (\n  id bigserial PRIMARY KEY,\n  ticket_id int REFERENCES tickets (id) ON DELETE CASCADE,\n  label text NOT NULL DEFAULT E'none; yet',\n  created_at timestamptz NOT NULL DEFAULT '2024-01-01T00:00:00Z'\n);\nINSERT INTO tickets (title) VALUES (E'ticket ${i}: it\\'s; here');\nINSERT INTO ${table} (ticket_id, label) SELECT max(id), E'first\\tlabel; ${i}' FROM tickets;\n` });
        break;
      }
      case 1:
        files.push({ name: `function_${i}`, sql: `CREATE OR REPLACE FUNCTION note_${i}() RETURNS trigger LANGUAGE plpgsql AS $fn${i}$\nBEGIN\n  INSERT INTO events (ticket_id, note) VALUES (NEW.id, 'insert; seen by ${i}' || $q_${i}$ [$$] $q_${i}$);\n  RETURN NEW;\nEND;\n$fn${i}$;\nDROP TRIGGER IF EXISTS tickets_note ON tickets;\nCREATE TRIGGER tickets_note AFTER INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION note_${i}();\n` });
        break;
      case 2:
        files.push({ name: `backfill_${i}`, sql: `DO $body_${i}$\nDECLARE\n  n int;\nBEGIN\n  SELECT count(*) INTO n FROM tickets;\n  IF n < ${i} THEN\n    INSERT INTO tickets (title) VALUES ('backfill; ' || ${i});\n  END IF;\nEND\n$body_${i}$;\n` });
        break;
      case 3:
        lastState = `state_${i}`;
        files.push({ name: `enum_add_${i}`, sql: `ALTER TYPE ticket_state ADD VALUE IF NOT EXISTS '${lastState}';\n` });
        break;
      case 4:
        files.push({ name: `enum_use_${i}`, sql: `UPDATE tickets SET state = '${lastState}' WHERE id = (SELECT min(id) FROM tickets WHERE state = 'new');\nCREATE OR REPLACE VIEW open_tickets AS SELECT id, title FROM tickets WHERE state <> '${lastState}';\n` });
        break;
      default:
        files.push({ name: `atomic_${i}`, sql: `CREATE OR REPLACE FUNCTION ticket_count_${i}() RETURNS bigint LANGUAGE sql STABLE\nBEGIN ATOMIC\n  SELECT count(*) FROM tickets;\nEND;\nCOMMENT ON FUNCTION ticket_count_${i}() IS E'counts; tickets (${i})';\n` });
    }
  }
  return files;
}

/**
 * MySQL/MariaDB, 48 migrations: a mysqldump baseline (executable-comment header, foreign key
 * checks off, LOCK TABLES), then conditional column procedures created, called and dropped
 * without DELIMITER (the shape Go projects use), triggers with IF and CASE, functions, and
 * plain statements with `#` comments and backslash escapes.
 */
export function mysqlHistory(count = 48): HistoryFile[] {
  const files: HistoryFile[] = [{
    name: "baseline",
    sql: `/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
DROP TABLE IF EXISTS \`orders\`;
CREATE TABLE \`orders\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`user_id\` int(11) NOT NULL,
  \`total\` decimal(10,2) NOT NULL DEFAULT 0.00,
  PRIMARY KEY (\`id\`),
  CONSTRAINT \`orders_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
DROP TABLE IF EXISTS \`users\`;
CREATE TABLE \`users\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`name\` varchar(100) NOT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES \`users\` WRITE;
/*!40000 ALTER TABLE \`users\` DISABLE KEYS */;
INSERT INTO \`users\` VALUES (0,'system; root'),(1,'o\\'brien');
/*!40000 ALTER TABLE \`users\` ENABLE KEYS */;
UNLOCK TABLES;
/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
`,
  }];
  for (let i = 1; files.length < count; i++) {
    switch (i % 4) {
      case 0:
        files.push({ name: `add_column_${i}`, sql: `CREATE PROCEDURE migrate_${i}()\nBEGIN\n  IF NOT EXISTS (SELECT * FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'orders' AND column_name = 'c_${i}') THEN\n    ALTER TABLE orders ADD COLUMN c_${i} VARCHAR(20) NOT NULL DEFAULT 'v;${i}';\n  END IF;\nEND;\nCALL migrate_${i}();\nDROP PROCEDURE IF EXISTS migrate_${i};\n` });
        break;
      case 1:
        files.push({ name: `trigger_${i}`, sql: `DROP TRIGGER IF EXISTS orders_bi;\nCREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW\nBEGIN\n  IF NEW.total < 0 THEN\n    SET NEW.total = 0;\n  END IF;\n  SET NEW.total = NEW.total + CASE WHEN NEW.user_id = 0 THEN 0 ELSE ${i} END;\nEND;\n` });
        break;
      case 2:
        files.push({ name: `function_${i}`, sql: `CREATE FUNCTION label_${i}(t DECIMAL(10,2)) RETURNS VARCHAR(20) DETERMINISTIC\nBEGIN\n  DECLARE k INT DEFAULT 0;\n  WHILE k < 2 DO SET k = k + 1; END WHILE;\n  RETURN CASE WHEN t > ${i} THEN 'big;' ELSE 'small' END;\nEND;\n` });
        break;
      default:
        files.push({ name: `orders_${i}`, sql: `# orders for batch ${i}; generated\nINSERT INTO orders (user_id, total) VALUES (1, ${i}.50), (0, -1);\n/*!40101 SET @note = 'batch\\'s ${i}' */;\nUPDATE orders SET total = total + 1 WHERE id = ${i}; -- nudge; one row\n` });
    }
  }
  return files;
}
