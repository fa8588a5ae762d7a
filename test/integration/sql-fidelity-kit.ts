import { execFile, spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { stringify } from "yaml";
import { createDatabase, MYSQL_ADMIN_URL, type Dialect, type TestDatabase } from "../helpers/servers.js";
import { tempProject } from "../helpers/project.js";
import { runAll, type RunReport } from "../helpers/stagecraft.js";

const run = promisify(execFile);

/** Tables the engines keep their bookkeeping in: not part of what a migration builds. */
const BOOKKEEPING = ["stagecraft_migrations", "_prisma_migrations", "__drizzle_migrations", "stagecraft_drizzle_unfinished"];

export type Engine = "raw" | "drizzle" | "prisma";
export const ENGINES: Engine[] = ["raw", "drizzle", "prisma"];

/**
 * How the mysql client must be called for a file. `lines`: `mariadb < file`, cutting at the
 * delimiter as the client does (files with DELIMITER lines). `whole`: the file in one
 * multi-statement query, so the server's own grammar finds the statements — what Prisma and
 * golang-migrate send, and the only way the server runs a compound body written without DELIMITER.
 */
export type MysqlClientMode = "lines" | "whole";

/** Runs `files` in order on `db` with the server's own command-line client; rejects with its stderr. */
export async function nativeRun(db: TestDatabase, files: string | readonly string[], mysqlMode: MysqlClientMode = "lines"): Promise<void> {
  const paths = typeof files === "string" ? [files] : files;
  if (db.dialect === "postgres") {
    await run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url, ...paths.flatMap((f) => ["-f", f])], { maxBuffer: 64 << 20 });
    return;
  }
  if (db.dialect === "sqlite") {
    await run("sqlite3", ["-bail", db.url.slice("sqlite:".length), ...paths.map((f) => `.read ${f}`)]);
    return;
  }
  for (const file of paths) await mariadb(db, file, mysqlMode);
}

async function mariadb(db: TestDatabase, file: string, mysqlMode: MysqlClientMode): Promise<void> {
  const mode = mysqlMode === "whole" ? ["--delimiter=@@no_delimiter_in_this_file@@"] : [];
  const input = openSync(file, "r");
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn("mariadb", [...mysqlArgs(), ...mode, db.name], { stdio: [input, "ignore", "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`mariadb exited with ${code}: ${stderr}`))));
    });
  } finally {
    closeSync(input);
  }
}

function mysqlArgs(): string[] {
  const url = new URL(MYSQL_ADMIN_URL);
  return ["-h", url.hostname, "-P", url.port || "3306", "-u", decodeURIComponent(url.username), ...(url.password ? [`-p${decodeURIComponent(url.password)}`] : [])];
}

/** Schema and data of `db` as text, without the engines' bookkeeping tables. */
export async function dump(db: TestDatabase): Promise<string> {
  if (db.dialect === "postgres") {
    const exclude = ["-N", "drizzle", ...BOOKKEEPING.flatMap((t) => ["-T", t])];
    const schema = (await run("pg_dump", ["-d", db.url, "--schema-only", "--no-owner", "--no-privileges", ...exclude], { maxBuffer: 64 << 20 })).stdout;
    const data = (await run("pg_dump", ["-d", db.url, "--data-only", "--column-inserts", ...exclude], { maxBuffer: 64 << 20 })).stdout;
    // pg_dump guards its output with a random \restrict key per run.
    return `${schema}\n${data}`.split("\n").filter((l) => !/^\\(un)?restrict /.test(l)).join("\n");
  }
  if (db.dialect === "mysql") {
    const ignore = BOOKKEEPING.map((t) => `--ignore-table=${db.name}.${t}`);
    const args = [...mysqlArgs(), "--skip-comments", "--skip-dump-date", "--routines", "--triggers", "--events", "--skip-extended-insert", "--order-by-primary", ...ignore, db.name];
    // Routines record the creating connection's character set; that is the client's, not the file's.
    return (await run("mariadb-dump", args, { maxBuffer: 64 << 20 })).stdout.split("\n").filter((l) => !/SET (character_set_client|character_set_results|collation_connection) += (?!@)/.test(l)).join("\n");
  }
  const sqlite = new Database(db.url.slice("sqlite:".length), { readonly: true });
  try {
    const objects = sqlite.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> 'sqlite_sequence' ORDER BY type, name").all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
    const mine = objects.filter((o) => !BOOKKEEPING.includes(o.tbl_name));
    const lines = mine.map((o) => `${o.type} ${o.name}: ${o.sql ?? ""}`);
    for (const table of mine.filter((o) => o.type === "table")) {
      for (const row of sqlite.prepare(`SELECT * FROM "${table.name}" ORDER BY 1`).all()) lines.push(`${table.name}: ${JSON.stringify(row)}`);
    }
    const hasSequence = objects.some((o) => o.name === "sqlite_sequence");
    if (hasSequence) {
      for (const row of sqlite.prepare("SELECT name, seq FROM sqlite_sequence ORDER BY name").all() as { name: string }[]) {
        if (!BOOKKEEPING.includes(row.name)) lines.push(`sequence: ${JSON.stringify(row)}`);
      }
    }
    return lines.join("\n");
  } finally {
    sqlite.close();
  }
}

/** A migration folder's files for `engine`: `migrations` in order, each one migration. */
export function engineFiles(engine: Engine, dialect: Dialect, migrations: readonly { name: string; sql: string }[]): Record<string, string> {
  const files: Record<string, string> = {};
  migrations.forEach((m, i) => {
    const stamp = String(20240101000000 + i * 100);
    if (engine === "raw") files[`${String(i + 1).padStart(4, "0")}_${m.name}.sql`] = m.sql;
    else files[`${stamp}_${m.name}/migration.sql`] = m.sql;
  });
  if (engine === "prisma") files["migration_lock.toml"] = `provider = "${{ postgres: "postgresql", mysql: "mysql", sqlite: "sqlite" }[dialect]}"\n`;
  return files;
}

export interface FleetEntry {
  name: string;
  engine: Engine;
  files: Record<string, string>;
}

export interface Fleet {
  dir: string;
  report: RunReport;
  databases: Map<string, TestDatabase>;
  /** A file of the project folder, written for the native client. */
  write: (path: string, text: string) => string;
  cleanup: () => Promise<void>;
}

/** One project with a database per entry, all migrated by one `runAll` (one pool, in parallel). */
export async function migrateFleet(dialect: Dialect, entries: readonly FleetEntry[]): Promise<Fleet> {
  const project = tempProject();
  const databases = new Map<string, TestDatabase>();
  const env: Record<string, string> = {};
  const config: Record<string, unknown> = {};
  try {
    for (const entry of entries) {
      const db = await createDatabase(dialect, project.dir);
      databases.set(entry.name, db);
      env[`DB_${entry.name.toUpperCase()}`] = db.url;
      for (const [path, text] of Object.entries(entry.files)) project.write(`${entry.name}/${path}`, text);
      config[entry.name] = { connection_env: `DB_${entry.name.toUpperCase()}`, migrations: { engine: entry.engine, path: `./${entry.name}`, lock_timeout_ms: 120_000 } };
    }
    const file = project.write("stagecraft.yml", stringify({ databases: config }));
    const report = await runAll(file, { env });
    return { dir: project.dir, report, databases, write: project.write, cleanup: async () => cleanupAll(databases, project.cleanup) };
  } catch (error) {
    await cleanupAll(databases, project.cleanup);
    throw error;
  }
}

async function cleanupAll(databases: Map<string, TestDatabase>, removeDir: () => void): Promise<void> {
  await Promise.all([...databases.values()].map((db) => db.drop()));
  removeDir();
}
