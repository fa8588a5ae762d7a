import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import knexFactory, { type Knex } from "knex";
import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";

// Faults at the edges of the engines' bookkeeping, one block per item of issue 14 (items 2, 6–10);
// racing runners and kills are in sqlite-races, kill-storm and killed-runner.
const dialects = await availableDialects();
const projects: EngineProject[] = [];
const knexes: Knex[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(knexes.splice(0).map((k) => k.destroy()));
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function project(dialect: Dialect, engine: string, files: Record<string, string>, settings: Record<string, unknown> = {}): Promise<EngineProject> {
  const p = await engineProject(dialect, engine, files, settings);
  projects.push(p);
  return p;
}

async function tables(p: EngineProject): Promise<string[]> {
  const sql = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    postgres: "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    mysql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name",
  }[p.db.dialect];
  return (await p.db.query<{ name: string }>(sql)).map((r) => r.name);
}

/** Real knex on the same database and folder: the referee. */
function realKnex(p: EngineProject): { knex: Knex } {
  const connection = p.db.dialect === "sqlite" ? { filename: p.db.url.slice("sqlite:".length) } : p.db.url;
  const client = { sqlite: "better-sqlite3", postgres: "pg", mysql: "mysql2" }[p.db.dialect];
  const knex = knexFactory({ client, connection, useNullAsDefault: true, log: { warn() {}, error() {}, deprecate() {}, debug() {} } });
  knexes.push(knex);
  return { knex };
}

const knexMigration = (table: string) => `exports.up = (knex) => knex.schema.createTable("${table}", (t) => { t.increments("id"); t.string("name"); });\nexports.down = (knex) => knex.schema.dropTable("${table}");\n`;
const KNEX_FILES = { "20240101000000_users.js": knexMigration("users"), "20240102000000_posts.cjs": knexMigration("posts"), "20240103000000_tags.js": knexMigration("tags") };

describe.each(dialects)("migration IDs a case-blind collation would merge, on %s (issue 14 item 7)", (dialect) => {
  it.each([["001_users", "001_Users"], ["002_cafe", "002_café"], ["003_x", "003_x "]])("refuses %j beside %j: IDs that a case- and accent-blind database would take for one", async (a, b) => {
    const p = await project(dialect, "raw", { [`${a}.sql`]: "CREATE TABLE one (id INT);", [`${b}.sql`]: "CREATE TABLE two (id INT);" });
    const [first, second] = [a, b].sort();
    for (const report of [only(await p.plan()), only(await p.run())]) {
      expect(report.error).toMatchObject({ kind: "invalid_config", migration: second });
      expect(report.error?.message).toContain(`migrations ${JSON.stringify(first)} and ${JSON.stringify(second)} differ only by case, accents or trailing spaces`);
    }
    expect(await tables(p)).toEqual([]);
  });
});

describe.each(dialects.filter((d) => d === "mysql"))("raw bookkeeping IDs on %s (issue 14 item 7)", (dialect) => {
  it("compares byte for byte (binary collation), so a migration renamed in case is not taken for the applied one", async () => {
    const p = await project(dialect, "raw", { "001_users.sql": "CREATE TABLE users (id INT);" });
    await p.run();
    const [column] = await p.db.query<{ collation_name: string }>("SELECT collation_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'stagecraft_migrations' AND column_name = 'id'");
    expect(column?.collation_name).toBe("utf8mb4_bin");
    p.remove("001_users.sql");
    p.migration("001_Users.sql", "CREATE TABLE users (id INT);");
    const plan = only(await p.plan());
    expect(plan.migrations.map((m) => [m.id, m.state])).toEqual([["001_Users", "pending"]]);
    expect(plan.error).toMatchObject({ kind: "checksum_mismatch", migration: "001_users" });
  });
});

describe("symbolic links in a migrations folder (issue 14 item 8)", () => {
  it.each([
    ["raw", "002_linked.sql", "CREATE TABLE linked (id INT);\n", { "001_first.sql": "CREATE TABLE first (id INT);\n" }, ["001_first", "002_linked"]],
    ["knex", "002_linked.js", 'exports.up = (knex) => knex.schema.createTable("linked", (t) => t.integer("id"));\nexports.down = (knex) => knex.schema.dropTable("linked");\n', { "001_first.js": 'exports.up = (knex) => knex.schema.createTable("first", (t) => t.integer("id"));\nexports.down = async () => {};\n' }, ["001_first.js", "002_linked.js"]],
  ])("%s follows a linked file", async (engine, name, text, files, ids) => {
    const shared = tempProject();
    cleanups.push(shared.cleanup);
    const target = shared.write(name, text);
    const p = await project("sqlite", engine, files);
    symlinkSync(target, join(p.dir, "migrations", name));
    expect(only(await p.run()).applied).toEqual(ids);
    expect(await p.db.query("SELECT name FROM sqlite_master WHERE name = 'linked'")).toHaveLength(1);
  });

  it.each([
    ["prisma", "20240102000000_linked", { "migration_lock.toml": 'provider = "sqlite"\n', "20240101000000_first/migration.sql": "CREATE TABLE first (id INT);\n" }],
    ["drizzle", "20240102000000_linked", { "20240101000000_first/migration.sql": "CREATE TABLE first (id INT);" }],
  ])("%s follows a linked migration folder", async (engine, folder, files) => {
    const shared = tempProject();
    cleanups.push(shared.cleanup);
    shared.write(`${folder}/migration.sql`, "CREATE TABLE linked (id INT);\n");
    const p = await project("sqlite", engine, files);
    symlinkSync(join(shared.dir, folder), join(p.dir, "migrations", folder));
    expect(only(await p.run()).applied).toEqual([Object.keys(files).find((f) => f.includes("_first"))!.split("/")[0], folder]);
  });

  it("a link loop or a dangling link named like a migration is a clear error, not a hang or a silent skip", async () => {
    const p = await project("sqlite", "raw", { "001_first.sql": "CREATE TABLE first (id INT);\n" });
    symlinkSync("002_loop.sql", join(p.dir, "migrations", "002_loop.sql"));
    const looped = only(await p.run());
    expect(looped.error).toMatchObject({ kind: "invalid_config", file: join(p.dir, "migrations", "002_loop.sql") });
    expect(looped.error?.message).toBe(`database main: migration ${join(p.dir, "migrations", "002_loop.sql")} is a symbolic link loop`);
    p.remove("002_loop.sql");
    symlinkSync(join(p.dir, "nowhere.sql"), join(p.dir, "migrations", "002_gone.sql"));
    expect(only(await p.run()).error?.message).toBe(`database main: migration ${join(p.dir, "migrations", "002_gone.sql")} is a symbolic link to nothing`);
  });

  it("a migrations folder that is itself a link is read through it", async () => {
    const shared = tempProject();
    cleanups.push(shared.cleanup);
    shared.write("sql/001_a.sql", "CREATE TABLE a (id INT);\n");
    const p = await project("sqlite", "raw", {});
    p.remove("");
    mkdirSync(p.dir, { recursive: true });
    symlinkSync(join(shared.dir, "sql"), join(p.dir, "migrations"));
    expect(only(await p.run()).applied).toEqual(["001_a"]);
  });
});

describe.each(dialects)("knex safety on %s (issue 14 items 2, 6, 9)", (dialect) => {
  it("frees a knex lock row that a dead stagecraft run left (its record beside it); one set by knex itself is waited for (knex-engine.test.ts)", async () => {
    const p = await project(dialect, "knex", KNEX_FILES, { lock_timeout_ms: 400 });
    expect(only(await p.run({ steps: 1 })).applied).toEqual(["20240101000000_users.js"]);
    const { knex } = realKnex(p);
    // What a stagecraft run killed while migrating each migration on its own (MySQL, transaction: false)
    // leaves: the row set, and our record that we set it (a one-transaction run never commits either).
    if (!(await knex.schema.hasTable("stagecraft_knex_lock"))) await knex.schema.createTable("stagecraft_knex_lock", (t) => { t.string("lock_table", 255).primary(); t.string("taken_at", 32).notNullable(); });
    await knex("knex_migrations_lock").update({ is_locked: 1 });
    await knex("stagecraft_knex_lock").insert({ lock_table: "knex_migrations_lock", taken_at: new Date().toISOString() });
    expect(only(await p.run({ steps: 1 })).applied).toEqual(["20240102000000_posts.cjs"]);
    expect(Number((await knex("knex_migrations_lock").first("is_locked")).is_locked)).toBe(0);
    expect(await knex("stagecraft_knex_lock").select()).toEqual([]);
  });

  it("a mark left beside a recorded migration (runner died between the two) is cleared, and --applied resolves a failed one", async () => {
    const p = await project(dialect, "knex", KNEX_FILES);
    await p.run({ steps: 1 });
    const { knex } = realKnex(p);
    await p.run({ steps: 1, direction: "up" });
    await knex.schema.createTable("stagecraft_knex_unfinished", (t) => { t.string("id", 255).primary(); t.string("started_at", 32); t.text("error"); }).catch(() => undefined);
    await knex("stagecraft_knex_unfinished").insert({ id: "20240102000000_posts.cjs", started_at: new Date().toISOString(), error: null });
    expect(only(await p.plan()).status).toBe("planned");
    expect(only(await p.run()).applied).toEqual(["20240103000000_tags.js"]);
    expect(await knex("stagecraft_knex_unfinished").select()).toEqual([]);
    // A failed attempt completed by hand is recorded with --applied.
    p.migration("20240104000000_more.js", 'exports.config = { transaction: false };\nexports.up = async (knex) => { await knex.schema.createTable("more", (t) => t.integer("id")); throw new Error("half done"); };\nexports.down = async () => {};\n');
    expect(only(await p.run()).error?.migration).toBe("20240104000000_more.js");
    expect(only(await p.resolve("20240104000000_more.js", "applied")).status).toBe("succeeded");
    const after = only(await p.plan());
    expect(after.migrations.map((m) => m.state)).toEqual(["applied", "applied", "applied", "applied"]);
    expect(await knex.migrate.status({ directory: `${p.dir}/migrations` })).toBe(0);
  });

  it("a database error while taking knex's lock is reported as that error, at once, not as a held lock", async () => {
    if (dialect !== "postgres") return; // a read-only database without touching server-wide settings
    const p = await project(dialect, "knex", KNEX_FILES, { lock_timeout_ms: 30_000 });
    await p.run({ steps: 1 });
    await p.db.query(`ALTER DATABASE ${p.db.name} SET default_transaction_read_only = on`);
    const report = only(await p.run());
    expect(report.error?.kind).toBe("migration_failed");
    expect(report.error?.message).toMatch(/^database main: cannot take knex's migration lock \(knex_migrations_lock\): .* cannot execute \w+ in a read-only transaction$/);
    expect(report.error?.driverCode).toBe("25006");
  });

  it("stops between migrations when the run is cancelled", async () => {
    const slow = (table: string) => `exports.up = async (knex) => { await new Promise((r) => setTimeout(r, 400)); await knex.schema.createTable("${table}", (t) => t.integer("id")); };\nexports.down = async () => {};\n`;
    const p = await project(dialect, "knex", { "001_a.js": slow("a"), "002_b.js": slow("b"), "003_c.js": slow("c") });
    const controller = new AbortController();
    const report = await p.run({ signal: controller.signal, on: { "migration:start": () => controller.abort() } });
    expect(only(report).status).toBe("cancelled");
    expect(only(report).applied).toEqual(["001_a.js"]);
    expect(only(await p.plan()).migrations.map((m) => m.state)).toEqual(["applied", "pending", "pending"]);
  });
});


describe.each(dialects)("drizzle on %s: a runner killed between writing a row and clearing its mark (issue 14 item 10)", (dialect) => {
  it("the migration counts as applied; resolve --applied, as the hint says, and the next run clear the mark", async () => {
    const bodies = ["CREATE TABLE users (id INT);", "CREATE TABLE posts (id INT);"];
    const entries = bodies.map((_, idx) => ({ idx, version: "7", when: 1_700_000_000_000 + idx, tag: `000${idx}_m`, breakpoints: true }));
    const p = await project(dialect, "drizzle", { "0000_m.sql": bodies[0]!, "0001_m.sql": bodies[1]!, "meta/_journal.json": JSON.stringify({ version: "7", dialect: "postgresql", entries }) });
    await p.run();
    const mark = async () => {
      await p.db.query("CREATE TABLE IF NOT EXISTS stagecraft_drizzle_unfinished (id VARCHAR(255) PRIMARY KEY, started_at VARCHAR(32) NOT NULL, error TEXT)");
      await p.db.query("INSERT INTO stagecraft_drizzle_unfinished (id, started_at) VALUES ('0001_m', '2026-01-01T00:00:00.000Z')");
    };
    const marks = async () => (await p.db.query("SELECT id FROM stagecraft_drizzle_unfinished")).length;
    await mark();
    const plan = only(await p.plan());
    expect([plan.status, plan.migrations.map((m) => m.state)]).toEqual(["planned", ["applied", "applied"]]);
    expect(only(await p.resolve("0001_m", "applied")).status).toBe("succeeded");
    expect(await marks()).toBe(0);
    await mark();
    expect(only(await p.run()).status).toBe("succeeded");
    expect(await marks()).toBe(0);
  });
});
