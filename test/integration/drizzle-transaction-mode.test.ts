import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { describeDialects } from "../helpers/describe-dialects.js";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const BREAK = "--> statement-breakpoint\n";

/** A drizzle-kit 0.x output folder (journal layout) with one migration per body. */
function journalFolder(bodies: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  const entries = bodies.map((body, idx) => {
    const tag = `000${idx}_step${idx}`;
    files[`${tag}.sql`] = body;
    return { idx, version: "7", when: 1700000000000 + idx * 100_000, tag, breakpoints: true };
  });
  files["meta/_journal.json"] = JSON.stringify({ version: "7", dialect: "postgresql", entries });
  return files;
}

async function project(dialect: Dialect, bodies: string[]): Promise<EngineProject> {
  const p = await engineProject(dialect, "drizzle", journalFolder(bodies), { transaction_mode: "all" });
  projects.push(p);
  return p;
}

async function tables(p: EngineProject): Promise<string[]> {
  const sql = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    postgres: "SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname IN ('public', 'drizzle') ORDER BY 1",
    mysql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name",
  }[p.db.dialect];
  return (await p.db.query<{ name: string }>(sql)).map((r) => r.name);
}

/** drizzle-orm 0.45's own `migrate()` on the folder: what it would still apply after us. */
async function drizzleMigrate(p: EngineProject): Promise<void> {
  const folder = `${p.dir}/migrations`;
  if (p.db.dialect === "sqlite") {
    const client = new Database(p.db.url.slice("sqlite:".length));
    const { drizzle } = await import("drizzle-orm/better-sqlite3");
    const { migrate } = await import("drizzle-orm/better-sqlite3/migrator");
    migrate(drizzle({ client }), { migrationsFolder: folder });
    client.close();
    return;
  }
  const client = new pg.Client({ connectionString: p.db.url });
  await client.connect();
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  await migrate(drizzle({ client }), { migrationsFolder: folder });
  await client.end();
}

const GOOD = ["CREATE TABLE users (id INT);", `CREATE TABLE posts (id INT);\n${BREAK}INSERT INTO posts VALUES (1);`];

describeDialects("drizzle engine, transaction_mode: all, on %s", dialects.filter((d) => d !== "mysql"), (dialect) => {
  it("a failing migration rolls back the whole run: nothing applied, nothing recorded, no applied event", async () => {
    const p = await project(dialect, [...GOOD, `CREATE TABLE tags (id INT);\n${BREAK}INSERT INTO missing VALUES (1);`]);
    const events: string[] = [];
    const report = only(await p.run({ on: { "migration:start": (e) => void events.push(`start ${e.migration}`), "migration:applied": (e) => void events.push(`applied ${e.migration}`) } }));
    expect(report.status).toBe("failed");
    expect(report.applied).toEqual([]);
    expect(report.error).toMatchObject({ kind: "migration_failed", migration: "0002_step2", line: 3 });
    expect(report.error?.message).toContain("0002_step2.sql:3: ");
    expect(events).toEqual(["start 0000_step0", "start 0001_step1", "start 0002_step2"]);
    // drizzle's own table is made in the run's transaction too: a failed first run leaves nothing.
    expect(await tables(p)).toEqual([]);
    expect(report.migrations.map((m) => m.state)).toEqual(["pending", "pending", "pending"]);
  });

  it("a good run applies everything in one transaction, reports each migration after the commit, and drizzle-orm agrees", async () => {
    const p = await project(dialect, GOOD);
    const events: string[] = [];
    const report = only(await p.run({ on: { "migration:start": (e) => void events.push(`start ${e.migration}`), "migration:applied": (e) => void events.push(`applied ${e.migration}`) } }));
    expect(report.status).toBe("succeeded");
    expect(report.applied).toEqual(["0000_step0", "0001_step1"]);
    expect(events).toEqual(["start 0000_step0", "start 0001_step1", "applied 0000_step0", "applied 0001_step1"]);
    expect(report.migrations.every((m) => m.state === "applied")).toBe(true);
    await drizzleMigrate(p);
    const table = dialect === "postgres" ? "drizzle.__drizzle_migrations" : "__drizzle_migrations";
    expect(Number((await p.db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n)).toBe(2);
    expect(Number((await p.db.query<{ n: number | string }>("SELECT count(*) AS n FROM posts"))[0]?.n)).toBe(1);
    expect(only(await p.run()).applied).toEqual([]);
  });

  it("refuses a migration that opts out of transactions before anything runs", async () => {
    const p = await project(dialect, [GOOD[0]!, "-- stagecraft:no-transaction\nCREATE TABLE later (id INT);"]);
    const report = only(await p.run());
    expect(report.error).toMatchObject({ kind: "unsupported", migration: "0001_step1" });
    expect(report.error?.message).toBe(`database main: ${p.dir}/migrations/0001_step1.sql opts out of transactions (-- stagecraft:no-transaction), which transaction_mode: all cannot honour`);
    expect(await tables(p)).not.toContain("users");
  });
});

describeDialects("drizzle engine, transaction_mode: all, on %s", dialects.filter((d) => d === "mysql"), () => {
  it("is refused before anything runs: MySQL/MariaDB DDL commits implicitly, so no run can be all or nothing", async () => {
    const p = await project("mysql", GOOD);
    const report = only(await p.run());
    expect(report.status).toBe("failed");
    expect(report.error).toMatchObject({ kind: "unsupported" });
    expect(report.error?.message).toBe("database main: transaction_mode: all needs transactional DDL; MySQL/MariaDB commit the open transaction at every CREATE, ALTER or DROP (an implicit commit), so a failure could not roll the run back: nothing was run");
    expect(report.error?.hint).toContain("transaction_mode: per-migration");
    expect(await tables(p)).toEqual([]);
  });
});
