import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";

// The drizzle and knex engines against their native tools (issue 15 item 8): a run is the same
// number of commits as drizzle-orm's migrate() / knex's latest() or fewer, and the plan the run
// reports is the one a plan reads afterwards, although it is no longer read again after the run.

const dialects = await availableDialects();
const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const BREAK = "--> statement-breakpoint\n";

/** A drizzle-kit folder: the 0.x journal layout or the 1.0 folder layout, one migration per body. */
function drizzleFiles(format: "journal" | "folders", bodies: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  const entries = bodies.map((body, idx) => {
    const tag = format === "journal" ? `000${idx}_step${idx}` : `2024010${idx + 1}000000_step${idx}`;
    files[format === "journal" ? `${tag}.sql` : `${tag}/migration.sql`] = body;
    return { idx, version: "7", when: 1700000000000 + idx * 1000, tag, breakpoints: true };
  });
  if (format === "journal") files["meta/_journal.json"] = JSON.stringify({ version: "7", dialect: "sqlite", entries });
  return files;
}
const drizzleBody = (i: number) => `CREATE TABLE t${i} (id INT);\n${BREAK}INSERT INTO t${i} VALUES (${i});`;
const knexModule = (i: number) => `exports.up = async (knex) => { await knex.schema.createTable("t${i}", (t) => t.integer("id")); await knex("t${i}").insert({ id: ${i} }); };\nexports.down = (knex) => knex.schema.dropTable("t${i}");\n`;

async function project(dialect: Dialect, engine: string, files: Record<string, string>, settings: Record<string, unknown> = {}): Promise<EngineProject> {
  const p = await engineProject(dialect, engine, files, settings);
  projects.push(p);
  return p;
}

/**
 * Write transactions committed to a SQLite file so far: the header's file change counter, which
 * SQLite bumps once per committed write transaction in rollback-journal mode (an autocommitted
 * CREATE TABLE counts as one). A database not created yet has had none.
 */
function commits(p: EngineProject): number {
  try {
    return readFileSync(p.db.url.slice("sqlite:".length)).readUInt32BE(24);
  } catch {
    return 0;
  }
}

describe("commits per run on SQLite, as the native tools make them or fewer", () => {
  it("knex: a fresh database is migrated in one commit (knex's latest() makes four), a run with nothing pending commits nothing", async () => {
    const p = await project("sqlite", "knex", { "001_a.js": knexModule(1), "002_b.js": knexModule(2), "003_c.js": knexModule(3) });
    expect(only(await p.run()).applied).toEqual(["001_a.js", "002_b.js", "003_c.js"]);
    expect(commits(p)).toBe(1);
    expect(only(await p.run()).applied).toEqual([]);
    expect(commits(p)).toBe(1);
    p.migration("004_d.js", knexModule(4));
    expect(only(await p.run()).applied).toEqual(["004_d.js"]);
    expect(commits(p)).toBe(2);
  });

  it("drizzle, transaction_mode: all: a fresh database is migrated in one commit (drizzle-orm's migrate() makes two)", async () => {
    const p = await project("sqlite", "drizzle", drizzleFiles("journal", [drizzleBody(0), drizzleBody(1), drizzleBody(2)]), { transaction_mode: "all" });
    expect(only(await p.run()).applied).toEqual(["0000_step0", "0001_step1", "0002_step2"]);
    expect(commits(p)).toBe(1);
    expect(only(await p.run()).applied).toEqual([]);
    expect(commits(p)).toBe(1);
  });
});

describe("knex modules loaded once per thread", () => {
  it("says it is loading a module (for a crash while it loads) only the first time this thread loads it", async () => {
    // The engine itself, in this thread, as a worker thread runs it for each database of a fleet.
    const { run } = (await import("../../dist/src/engines/knex/knex-engine.js")) as typeof import("../../src/engines/knex/knex-engine.js");
    const p = await project("sqlite", "knex", { "001_a.js": knexModule(1), "002_b.js": knexModule(2) });
    const second = await project("sqlite", "knex", {});
    const steps = async (q: EngineProject, migrationPath: string): Promise<string[]> => {
      const events: string[] = [];
      const result = await run({
        config: {}, migrationPath, connectionEnv: "MAIN_URL", url: q.db.url, workDir: q.dir, database: "main", lockTimeoutMs: 5_000,
        signal: new AbortController().signal, direction: "up", steps: 0, onProgress: (e) => void (e.type === "engine:step" && events.push(e.file!)),
      });
      expect(result.applied).toEqual(["001_a.js", "002_b.js"]);
      return events;
    };
    const folder = join(p.dir, "migrations");
    expect(await steps(p, folder)).toEqual([join(folder, "001_a.js"), join(folder, "002_b.js")]);
    // Another database of the same folder: both modules come from Node's cache, no code of theirs runs.
    expect(await steps(second, folder)).toEqual([]);
  });
});

describe.each(dialects)("the plan a run reports is the plan read afterwards, on %s", (dialect) => {
  const same = async (p: EngineProject, applied: string[]) => {
    const run = only(await p.run());
    expect(run.applied).toEqual(applied);
    expect(run.migrations).toEqual(only(await p.plan()).migrations);
  };

  for (const format of ["journal", "folders"] as const) {
    for (const mode of dialect === "mysql" ? ["per-migration"] : ["per-migration", "all"]) {
      it(`drizzle, ${format} layout, transaction_mode: ${mode}`, async () => {
        const p = await project(dialect, "drizzle", drizzleFiles(format, [drizzleBody(0), drizzleBody(1)]), { transaction_mode: mode });
        await same(p, format === "journal" ? ["0000_step0", "0001_step1"] : ["20240101000000_step0", "20240102000000_step1"]);
        if (format === "folders") mkdirSync(join(p.dir, "migrations", "20240103000000_step2"));
        for (const [name, text] of Object.entries(drizzleFiles(format, [drizzleBody(0), drizzleBody(1), drizzleBody(2)]))) p.migration(name, text);
        await same(p, [format === "journal" ? "0002_step2" : "20240103000000_step2"]);
        await same(p, []);
      });
    }
  }

  it("drizzle, 1.0 folders over a table drizzle 0.x made (upgraded in place before the run)", async () => {
    const p = await project(dialect, "drizzle", drizzleFiles("folders", [drizzleBody(0), drizzleBody(1)]));
    // What drizzle-orm 0.x leaves after applying the first migration, before `drizzle-kit up`.
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256").update(drizzleBody(0)).digest("hex");
    const table = dialect === "postgres" ? "drizzle.__drizzle_migrations" : "__drizzle_migrations";
    if (dialect === "postgres") await p.db.query("CREATE SCHEMA IF NOT EXISTS drizzle");
    await p.db.query(`CREATE TABLE ${table} (id ${dialect === "sqlite" ? "SERIAL" : "serial"} PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    await p.db.query(`INSERT INTO ${table} (hash, created_at) VALUES ('${hash}', ${Date.UTC(2024, 0, 1)})`);
    await p.db.query("CREATE TABLE t0 (id INT)");
    await same(p, ["20240102000000_step1"]);
  });

  it("knex", async () => {
    const p = await project(dialect, "knex", { "001_a.js": knexModule(1), "002_b.js": knexModule(2) });
    await same(p, ["001_a.js", "002_b.js"]);
    writeFileSync(join(p.dir, "migrations", "003_c.js"), knexModule(3));
    await same(p, ["003_c.js"]);
    await same(p, []);
  });
});

describe("a drizzle folder read once per thread", () => {
  it("is read again after any edit: a changed file of the same size, a new journal entry, a stray .sql file, a removed file", async () => {
    const { readDrizzleMigrations } = (await import("../../dist/src/engines/drizzle/drizzle-source.js")) as typeof import("../../src/engines/drizzle/drizzle-source.js");
    const p = await project("sqlite", "drizzle", drizzleFiles("journal", [drizzleBody(0), drizzleBody(1)]));
    const dir = join(p.dir, "migrations");
    const read = async () => {
      const { migrations, warnings } = await readDrizzleMigrations(dir, "journal");
      return { ids: migrations.map((m) => m.id), checksums: migrations.map((m) => m.checksum), warnings: warnings.map((w) => w.message) };
    };
    const first = await read();
    expect(first.ids).toEqual(["0000_step0", "0001_step1"]);
    expect(await read()).toEqual(first);
    // Same size, other bytes.
    p.migration("0001_step1.sql", drizzleBody(1).replace("t1", "u1"));
    const edited = await read();
    expect(edited.checksums[0]).toBe(first.checksums[0]);
    expect(edited.checksums[1]).not.toBe(first.checksums[1]);
    for (const [name, text] of Object.entries(drizzleFiles("journal", [drizzleBody(0), drizzleBody(1), drizzleBody(2)]))) if (name !== "0001_step1.sql") p.migration(name, text);
    expect((await read()).ids).toEqual(["0000_step0", "0001_step1", "0002_step2"]);
    p.migration("9999_stray.sql", "SELECT 1;");
    expect((await read()).warnings).toEqual([expect.stringContaining("9999_stray.sql")]);
    p.remove("0002_step2.sql");
    await expect(read()).rejects.toThrow(/drizzle journal entry 0002_step2 has no file/);
  });
});

describe.each(dialects.filter((d) => d !== "mysql"))("knex's lock row taken inside the run's transaction, on %s", (dialect) => {
  it("a knex run that applied a migration while we waited for its lock row is seen: we read again and apply only the rest", async () => {
    const p = await project(dialect, "knex", { "001_a.js": knexModule(1), "002_b.js": knexModule(2) }, { lock_timeout_ms: 30_000 });
    const { default: knexFactory } = await import("knex");
    const connection = dialect === "sqlite" ? { filename: p.db.url.slice("sqlite:".length) } : p.db.url;
    const knex = knexFactory({ client: dialect === "sqlite" ? "better-sqlite3" : "pg", connection, useNullAsDefault: true, log: { warn() {}, error() {}, deprecate() {}, debug() {} } });
    try {
      // A knex run without a transaction holds the row as a committed 1 (knex's disableTransactions).
      const { ensureTable } = createRequire(import.meta.url)("knex/lib/migrations/migrate/table-creator.js") as { ensureTable(table: string, schema: undefined, knex: unknown): Promise<unknown> };
      await ensureTable("knex_migrations", undefined, knex);
      await knex("knex_migrations_lock").update({ is_locked: 1 });
      const running = p.run();
      // Meanwhile that knex run applies 001 and frees its row.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const work = ["CREATE TABLE t1 (id INT)", "INSERT INTO knex_migrations (name, batch, migration_time) VALUES ('001_a.js', 1, 0)", "UPDATE knex_migrations_lock SET is_locked = 0"];
      if (dialect === "sqlite") {
        // Write-locked from its BEGIN, waiting its turn like any writer (the run retries its transaction meanwhile).
        const { default: Database } = await import("better-sqlite3");
        const db = new Database(p.db.url.slice("sqlite:".length), { timeout: 20_000 });
        db.exec(`BEGIN IMMEDIATE; ${work.join("; ")}; COMMIT`);
        db.close();
      } else {
        await knex.transaction(async (trx) => {
          await trx.schema.createTable("t1", (t) => t.integer("id"));
          await trx("knex_migrations").insert({ name: "001_a.js", batch: 1, migration_time: new Date() });
          await trx("knex_migrations_lock").update({ is_locked: 0 });
        });
      }
      const report = only(await running);
      expect(report.error).toBeUndefined();
      expect(report.applied).toEqual(["002_b.js"]);
      expect((await knex("knex_migrations").select("name", "batch").orderBy("id")).map((r: { name: string; batch: number }) => `${r.name}@${Number(r.batch)}`)).toEqual(["001_a.js@1", "002_b.js@2"]);
      expect(Number((await knex("knex_migrations_lock").first("is_locked")).is_locked)).toBe(0);
    } finally {
      await knex.destroy();
    }
  });
});
