import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

/** Databases (trials) per engine, each raced by every runner. */
const TRIALS = 40;
/** `stagecraft migrate` processes started together over the same databases. */
const RUNNERS = 4;
/** Migrations after the one that creates `audit`; each runs outside a transaction. */
const STEPS = 3;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const NO_TX = "-- stagecraft:no-transaction";
/** Long enough that another runner arrives while it runs. */
const SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000) SELECT count(*) FROM c;";
/** Each step records the step before it: a step run twice adds a row, one run out of order records the wrong `prev`. */
const step = (n: number) => `${NO_TX}\nINSERT INTO audit (n, prev) SELECT ${n}, MAX(n) FROM audit;\n${SLOW}\n`;

type Engine = "raw" | "drizzle" | "prisma";

function writeMigrations(write: (path: string, text: string) => void, engine: Engine): string[] {
  const create = "CREATE TABLE audit (n INT, prev INT);\nINSERT INTO audit VALUES (0, -1);\n";
  if (engine === "raw") {
    write("migrations/000_audit.sql", create);
    for (let n = 1; n <= STEPS; n++) write(`migrations/00${n}_step.sql`, step(n));
    return ["000_audit", ...Array.from({ length: STEPS }, (_, i) => `00${i + 1}_step`)];
  }
  if (engine === "prisma") {
    write("migrations/migration_lock.toml", 'provider = "sqlite"\n');
    write("migrations/20240101000000_audit/migration.sql", create);
    for (let n = 1; n <= STEPS; n++) write(`migrations/2024010${n + 1}000000_step/migration.sql`, step(n));
    return ["20240101000000_audit", ...Array.from({ length: STEPS }, (_, i) => `2024010${i + 2}000000_step`)];
  }
  const tags = ["0000_audit", ...Array.from({ length: STEPS }, (_, i) => `000${i + 1}_step`)];
  write("migrations/0000_audit.sql", create);
  for (let n = 1; n <= STEPS; n++) write(`migrations/000${n}_step.sql`, step(n));
  write("migrations/meta/_journal.json", JSON.stringify({ version: "7", dialect: "sqlite", entries: tags.map((tag, idx) => ({ idx, version: "6", when: 1_700_000_000_000 + idx, tag, breakpoints: true })) }));
  return tags;
}

describe.each(["raw", "drizzle", "prisma"] as const)("racing runners on SQLite with no-transaction migrations: %s", (engine) => {
  it(`${RUNNERS} processes over ${TRIALS} databases: each migration applied once and in order, no runner reported dead while alive`, async () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    const ids = writeMigrations(project.write, engine);
    const databases: Record<string, unknown> = {};
    for (let i = 0; i < TRIALS; i++) databases[`t${String(i).padStart(2, "0")}`] = { connection_env: `T${i}`, migrations: { engine, path: "./migrations", lock_timeout_ms: 120_000 } };
    project.write("stagecraft.yml", stringify({ databases }));
    const env = Object.fromEntries(Array.from({ length: TRIALS }, (_, i) => [`T${i}`, `sqlite:./db/t${i}.db`]));

    const runs = await Promise.all(Array.from({ length: RUNNERS }, () => runCli(["migrate", "--json"], project.dir, env)));
    const problems: string[] = [];
    const appliedBy = new Map<string, number>();
    for (const run of runs) {
      const report = JSON.parse(run.stdout) as { databases: { name: string; status: string; applied: string[]; error?: { message: string } }[] };
      for (const db of report.databases) {
        if (db.status !== "succeeded") problems.push(`${db.name}: ${db.error?.message}`);
        for (const id of db.applied) appliedBy.set(`${db.name} ${id}`, (appliedBy.get(`${db.name} ${id}`) ?? 0) + 1);
      }
    }
    expect(problems).toEqual([]);
    for (let i = 0; i < TRIALS; i++) {
      const db = new Database(join(project.dir, "db", `t${i}.db`), { readonly: true });
      try {
        const audit = db.prepare("SELECT n, prev FROM audit ORDER BY rowid").all() as { n: number; prev: number }[];
        expect({ trial: i, audit: audit.map((r) => [r.n, r.prev]) }).toEqual({ trial: i, audit: Array.from({ length: STEPS + 1 }, (_, n) => [n, n - 1]) });
      } finally {
        db.close();
      }
      for (const id of ids) expect({ trial: i, id, runs: appliedBy.get(`t${String(i).padStart(2, "0")} ${id}`) }).toEqual({ trial: i, id, runs: 1 });
    }
  }, 600_000);
});

describe("SQLite file deleted while a run migrates it (WAL mode)", () => {
  it("the run fails saying the file was deleted, instead of reporting success", async () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    project.write("migrations/001_first.sql", "CREATE TABLE first (id INT);\n");
    project.write("migrations/002_slow.sql", "CREATE TABLE slow (n INT);\nINSERT INTO slow WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000) SELECT count(*) FROM c;\n");
    project.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./migrations" } } } }));
    const file = join(project.dir, "app.db");
    const { done } = startCli(["migrate", "--json"], project.dir, { DB: "sqlite:./app.db?journal_mode=wal" });
    // Once 001 is committed, 002's long statement is running: delete the file under it.
    for (let i = 0; i < 600; i++) {
      if (existsSync(file) && hasRow(file, "001_first")) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    rmSync(file);
    const result = await done;
    expect(result.code).toBe(2);
    const error = JSON.parse(result.stdout).databases[0].error;
    expect(error.kind).toBe("connection_failed");
    expect(error.message).toMatch(/^database main: SQLite database .+ was deleted while stagecraft was migrating it; what this run wrote went to the old file and is lost$/);
  }, 120_000);
});

function hasRow(file: string, id: string): boolean {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT 1 FROM stagecraft_migrations WHERE id = ? AND finished_at IS NOT NULL").get(id) !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
