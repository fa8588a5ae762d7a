import Database from "better-sqlite3";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

async function project(dialect: Dialect, files: Record<string, string>, settings: Record<string, unknown> = {}): Promise<EngineProject> {
  const p = await engineProject(dialect, "raw", files, settings);
  projects.push(p);
  return p;
}

const THREE = {
  "001_create_users.sql": "CREATE TABLE users (id INT);\nINSERT INTO users VALUES (1);\n",
  "002_create_posts.sql": "CREATE TABLE posts (id INT);\n",
  "002_create_posts.down.sql": "DROP TABLE posts;\n",
  "003_create_tags.up.sql": "CREATE TABLE tags (id INT);\n",
  "003_create_tags.down.sql": "DROP TABLE tags;\n",
  "README.md": "not a migration",
};

async function tables(p: EngineProject): Promise<string[]> {
  const sql = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    postgres: "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    mysql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name",
  }[p.db.dialect];
  return (await p.db.query<{ name: string }>(sql)).map((r) => r.name);
}

async function rows(p: EngineProject): Promise<{ id: string; finished_at: string | null }[]> {
  return p.db.query("SELECT id, finished_at FROM stagecraft_migrations ORDER BY id");
}

describeDialects("raw engine on %s", dialects, (dialect) => {
  it("plans an empty database, runs everything, and a rerun applies nothing", async () => {
    const p = await project(dialect, THREE);
    const before = only(await p.plan());
    expect(before).toMatchObject({ name: "main", engine: "raw", status: "planned", applied: [] });
    expect(before.migrations.map((m) => [m.id, m.description, m.applied])).toEqual([
      ["001_create_users", "create users", false],
      ["002_create_posts", "create posts", false],
      ["003_create_tags", "create tags", false],
    ]);
    const first = only(await p.run());
    expect(first.status).toBe("succeeded");
    expect(first.applied).toEqual(["001_create_users", "002_create_posts", "003_create_tags"]);
    expect(first.migrations.every((m) => m.applied && typeof m.appliedAt === "string")).toBe(true);
    expect(await tables(p)).toEqual(["posts", "stagecraft_migrations", "tags", "users"]);
    expect((await rows(p)).every((r) => r.finished_at !== null)).toBe(true);
    const second = only(await p.run());
    expect(second.applied).toEqual([]);
    expect(await p.db.query("SELECT id FROM users")).toHaveLength(1);
  });

  it("applies `steps` at a time and plans the partial state", async () => {
    const p = await project(dialect, THREE);
    expect(only(await p.run({ steps: 2 })).applied).toEqual(["001_create_users", "002_create_posts"]);
    expect(only(await p.plan()).migrations.map((m) => m.applied)).toEqual([true, true, false]);
    expect(only(await p.run({ steps: 5 })).applied).toEqual(["003_create_tags"]);
  });

  it("plans and applies a file added out of order, or refuses it when configured", async () => {
    const p = await project(dialect, { "001_a.sql": "CREATE TABLE a (id INT);", "003_c.sql": "CREATE TABLE c (id INT);" });
    await p.run();
    p.migration("002_b.sql", "CREATE TABLE b (id INT);");
    expect(only(await p.plan()).migrations.map((m) => [m.id, m.applied])).toEqual([["001_a", true], ["002_b", false], ["003_c", true]]);
    expect(only(await p.run()).applied).toEqual(["002_b"]);

    const strict = await project(dialect, { "001_a.sql": "CREATE TABLE a (id INT);", "003_c.sql": "CREATE TABLE c (id INT);" }, { allow_out_of_order: false });
    await strict.run();
    strict.migration("002_b.sql", "CREATE TABLE b (id INT);");
    const refused = only(await strict.run());
    expect(refused.status).toBe("failed");
    expect(refused.error).toMatchObject({ kind: "invalid_config", migration: "002_b" });
    expect(refused.error?.message).toBe("database main: pending migration 002_b sorts before the newest applied migration 003_c");
    expect(await tables(strict)).not.toContain("b");
  });

  it("reports an applied file that was edited or deleted, and ignores line-ending changes", async () => {
    const p = await project(dialect, { "001_a.sql": "CREATE TABLE a (id INT);\nCREATE TABLE a2 (id INT);\n" });
    await p.run();
    p.migration("001_a.sql", "CREATE TABLE a (id INT);\r\nCREATE TABLE a2 (id INT);\r\n");
    expect(only(await p.run()).status).toBe("succeeded");
    p.migration("001_a.sql", "CREATE TABLE a (id BIGINT);\n");
    const edited = only(await p.plan());
    expect(edited.error).toMatchObject({ kind: "checksum_mismatch", migration: "001_a", file: `${p.dir}/migrations/001_a.sql` });
    expect(edited.error?.message).toContain(`migration 001_a was changed after it was applied: ${p.dir}/migrations/001_a.sql`);
    expect(only(await p.run()).error?.kind).toBe("checksum_mismatch");
    p.remove("001_a.sql");
    const gone = only(await p.run());
    expect(gone.error?.kind).toBe("checksum_mismatch");
    expect(gone.error?.message).toContain("migration 001_a is recorded as applied but its file is gone");
  });

  it("names the file and line of a failing statement and leaves nothing half-applied where DDL is transactional", async () => {
    const p = await project(dialect, {
      "001_ok.sql": "CREATE TABLE ok (id INT);\n",
      "002_bad.sql": "-- creates half, then fails\nCREATE TABLE half (id INT);\n\nINSERT INTO\n  missing_table VALUES (1);\n",
      "003_after.sql": "CREATE TABLE after_bad (id INT);\n",
    });
    const failed = only(await p.run());
    expect(failed.status).toBe("failed");
    expect(failed.applied).toEqual(["001_ok"]);
    expect(failed.error).toMatchObject({ kind: "migration_failed", migration: "002_bad", file: `${p.dir}/migrations/002_bad.sql`, line: dialect === "postgres" ? 5 : 4 });
    expect(failed.error?.message).toMatch(new RegExp(`^database main: ${p.dir}/migrations/002_bad.sql:\\d: `));
    expect(await tables(p)).not.toContain("after_bad");
    if (dialect === "mysql") {
      // MySQL commits DDL: the half-applied migration is recorded as failed and blocks.
      expect(await tables(p)).toContain("half");
      expect(failed.error?.message).toContain("statements 1–1 of 2 had run and stay applied");
      expect(await rows(p)).toEqual([{ id: "001_ok", finished_at: expect.any(String) }, { id: "002_bad", finished_at: null }]);
      const blocked = only(await p.run());
      expect(blocked.error?.kind).toBe("migration_failed");
      expect(blocked.error?.message).toContain("migration 002_bad started at");
      expect(blocked.error?.hint).toContain("stagecraft migrate resolve --database main --applied 002_bad");
      await p.db.query("DROP TABLE half");
      p.migration("002_bad.sql", "CREATE TABLE half (id INT);\n");
      expect(only(await p.resolve("002_bad", "rolled-back")).status).toBe("succeeded");
    } else {
      expect(await tables(p)).not.toContain("half");
      expect((await rows(p)).map((r) => r.id)).toEqual(["001_ok"]);
      p.migration("002_bad.sql", "CREATE TABLE half (id INT);\n");
    }
    expect(only(await p.run()).applied).toEqual(["002_bad", "003_after"]);
  });

  it("reverts the last applied migrations with their down files, and refuses before anything runs when one is missing", async () => {
    const p = await project(dialect, THREE);
    await p.run();
    const down = only(await p.run({ direction: "down", steps: 1 }));
    expect(down.applied).toEqual(["003_create_tags"]);
    expect(await tables(p)).not.toContain("tags");
    const refused = only(await p.run({ direction: "down", steps: 2 }));
    expect(refused.error?.kind).toBe("unsupported");
    expect(refused.error?.message).toContain("cannot revert 001_create_users: no 001_create_users.down.sql");
    expect(await tables(p)).toContain("posts");
    expect(only(await p.run({ direction: "down", steps: 1 })).applied).toEqual(["002_create_posts"]);
    expect(only(await p.plan()).migrations.map((m) => m.applied)).toEqual([true, false, false]);
    expect(only(await p.run()).applied).toEqual(["002_create_posts", "003_create_tags"]);
  });

  it("runs a whole database in one transaction with transaction_mode: all where DDL is transactional", async () => {
    const p = await project(dialect, { "001_a.sql": "CREATE TABLE a (id INT);", "002_bad.sql": "INSERT INTO missing VALUES (1);" }, { transaction_mode: "all" });
    const report = only(await p.run());
    expect(report.status).toBe("failed");
    if (dialect === "mysql") {
      expect(report.error).toMatchObject({ kind: "unsupported" });
      expect(report.error?.message).toContain("transaction_mode: all needs transactional DDL, which mysql does not have");
    } else {
      expect(report.error?.migration).toBe("002_bad");
      expect(report.applied).toEqual([]);
      expect(await tables(p)).toEqual(["stagecraft_migrations"]);
    }
  });

  it("two runners at once apply each migration exactly once", async () => {
    const files: Record<string, string> = { "000_counter.sql": "CREATE TABLE hits (n INT);" };
    for (let i = 1; i <= 8; i++) files[`00${i}_hit.sql`] = "INSERT INTO hits VALUES (1);";
    const p = await project(dialect, files);
    const reports = await Promise.all([p.run(), p.run(), p.run()]);
    for (const report of reports) expect(only(report).status).toBe("succeeded");
    const applied = reports.flatMap((r) => only(r).applied).sort();
    expect(applied).toEqual(Object.keys(files).map((f) => f.replace(".sql", "")).sort());
    expect(await p.db.query("SELECT n FROM hits")).toHaveLength(8);
  });

  it("fails with lock_timeout naming the database when another session holds the lock", async () => {
    const p = await project(dialect, { "001_a.sql": "CREATE TABLE a (id INT);" }, { lock_timeout_ms: 300 });
    const release = await holdLock(p);
    try {
      const report = only(await p.run());
      expect(report.status).toBe("failed");
      expect(report.error?.kind).toBe("lock_timeout");
      expect(report.error?.message).toMatch(/^database main: timed out after 300 ms waiting for /);
      expect(await tables(p)).not.toContain("a");
    } finally {
      await release();
    }
    expect(only(await p.run()).applied).toEqual(["001_a"]);
  });
});

describe.each(dialects)("raw engine file names and order on %s", (dialect) => {
  it("runs an unpadded golang-migrate folder (1_ … 16_) in numeric order and says the file listing differs", async () => {
    const files: Record<string, string> = { "1_init.up.sql": "CREATE TABLE steps (n INT, prev INT);\nINSERT INTO steps VALUES (1, 0);\n", "1_init.down.sql": "DROP TABLE steps;\n" };
    // Each migration records the number before it: any other order leaves a wrong `prev`.
    for (let n = 2; n <= 16; n++) files[`${n}_step.up.sql`] = `INSERT INTO steps (n, prev) SELECT ${n}, MAX(n) FROM steps;\n`;
    const p = await project(dialect, files);
    const plan = only(await p.plan());
    expect(plan.migrations.map((m) => m.id)).toEqual(["1_init", ...Array.from({ length: 15 }, (_, i) => `${i + 2}_step`)]);
    expect(plan.warnings).toEqual([{ code: "order", file: `${p.dir}/migrations/1_init.up.sql`, message: "migrations run in numeric order of their number, which differs from the order of their file names: 1_init.up.sql runs before 10_step.up.sql; zero-pad the numbers (e.g. 01_init) so both orders agree" }]);
    expect(only(await p.run()).applied).toHaveLength(16);
    const steps = await p.db.query<{ n: number; prev: number }>("SELECT n, prev FROM steps ORDER BY n");
    expect(steps.map((r) => [Number(r.n), Number(r.prev)])).toEqual(Array.from({ length: 16 }, (_, i) => [i + 1, i]));
    // Already applied, the history is never reordered: a rerun applies nothing, a new file is just pending.
    p.migration("17_late.up.sql", "INSERT INTO steps (n, prev) SELECT 17, MAX(n) FROM steps;\n");
    expect(only(await p.run()).applied).toEqual(["17_late"]);
  });

  it("keeps a zero-padded folder in name order without a warning, and warns about numbers used twice", async () => {
    const p = await project(dialect, { "001_a.sql": "CREATE TABLE a (id INT);", "002_b.sql": "CREATE TABLE b (id INT);", "002_c.sql": "CREATE TABLE c (id INT);", "010_d.sql": "CREATE TABLE d (id INT);" });
    const plan = only(await p.plan());
    expect(plan.migrations.map((m) => m.id)).toEqual(["001_a", "002_b", "002_c", "010_d"]);
    expect(plan.warnings).toEqual([{ code: "duplicate_number", file: `${p.dir}/migrations/002_b.sql`, message: "002_b.sql, 002_c.sql share the number 2: they run in this order, decided by the rest of their names; give each migration its own number" }]);
  });

  it("skips .sql files that do not follow the naming rule, saying why, and warns about an empty folder", async () => {
    const p = await project(dialect, { "V1__init.sql": "CREATE TABLE v (id INT);", "create_users.sql": "CREATE TABLE u (id INT);", "002_ok.SQL": "CREATE TABLE ok (id INT);", "notes.md": "not a migration" });
    const plan = only(await p.plan());
    expect(plan.status).toBe("planned");
    expect(plan.migrations).toEqual([]);
    expect(plan.warnings).toEqual([
      { code: "empty_folder", file: `${p.dir}/migrations`, message: `no migration files (NNN_name.sql) in ${p.dir}/migrations: nothing to apply (is migrations.path right?)` },
      { code: "ignored_file", file: `${p.dir}/migrations/002_ok.SQL`, message: `${p.dir}/migrations/002_ok.SQL is not a migration and is skipped: the extension must be lower-case .sql (rename it to 002_ok.sql)` },
      { code: "ignored_file", file: `${p.dir}/migrations/V1__init.sql`, message: `${p.dir}/migrations/V1__init.sql is not a migration and is skipped: Flyway-style names are not read; migration files start with their number (e.g. 1_init.sql)` },
      { code: "ignored_file", file: `${p.dir}/migrations/create_users.sql`, message: `${p.dir}/migrations/create_users.sql is not a migration and is skipped: migration files start with their number (e.g. 001_create_users.sql)` },
    ]);
    expect(only(await p.run()).warnings).toHaveLength(4);
    expect(await tables(p)).toEqual(["stagecraft_migrations"]);
  });

});

describe.each(dialects.filter((d) => d === "postgres"))("raw engine on %s, outside transactions", (dialect) => {
  it("runs a `-- stagecraft:no-transaction` file (CREATE INDEX CONCURRENTLY) and records it", async () => {
    const p = await project(dialect, {
      "001_t.sql": "CREATE TABLE t (id INT);",
      "002_idx.sql": "-- stagecraft:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n",
    });
    expect(only(await p.run()).applied).toEqual(["001_t", "002_idx"]);
    expect(await p.db.query("SELECT indexname FROM pg_indexes WHERE indexname = 't_id'")).toHaveLength(1);
  });

  it("a failing no-transaction file is recorded as failed and blocks until resolved", async () => {
    const p = await project(dialect, { "001_bad.sql": "-- stagecraft:no-transaction\nCREATE TABLE x (id INT);\nSELECT * FROM nope;\n" });
    const failed = only(await p.run());
    expect(failed.error?.message).toContain("statements 1–1 of 2 had run and stay applied");
    expect(only(await p.run()).error?.message).toContain("migration 001_bad started at");
    await p.db.query("DROP TABLE x");
    await p.resolve("001_bad", "rolled-back");
    p.migration("001_bad.sql", "CREATE TABLE x (id INT);");
    expect(only(await p.run()).applied).toEqual(["001_bad"]);
  });
});

/** Holds the database's migration lock from another session until the returned function is called. */
async function holdLock(p: EngineProject): Promise<() => Promise<void>> {
  if (p.db.dialect === "sqlite") {
    const db = new Database(p.db.url.slice("sqlite:".length));
    db.exec("BEGIN IMMEDIATE");
    return async () => {
      db.exec("ROLLBACK");
      db.close();
    };
  }
  if (p.db.dialect === "postgres") {
    const { createHash } = await import("node:crypto");
    const key = createHash("sha256").update("stagecraft:.stagecraft_migrations").digest().readBigInt64BE(0).toString();
    const client = new pg.Client({ connectionString: p.db.url });
    await client.connect();
    await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
    return async () => void (await client.end());
  }
  const conn = await mysql.createConnection({ uri: p.db.url });
  await conn.query("SELECT GET_LOCK(?, 1)", [`stagecraft:${p.db.name}:.stagecraft_migrations`]);
  return async () => void (await conn.end());
}
