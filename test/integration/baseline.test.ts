import { writeFileSync } from "node:fs";
import type { Knex } from "knex";
import { stringify } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { baseline, hasTable, realKnex, sha256 } from "../helpers/baseline-kit.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { availableDialects, createDatabase, type Dialect, type TestDatabase } from "../helpers/servers.js";
import { baselineAll, defaultRegistry, type Engine } from "../helpers/stagecraft.js";
import { tempProject } from "../helpers/project.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
const knexes: Knex[] = [];
const extraDbs: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(knexes.splice(0).map((k) => k.destroy()));
  await Promise.all(extraDbs.splice(0).map((db) => db.drop()));
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const RAW = {
  "001_users.sql": "CREATE TABLE users (id INT);\n",
  "002_posts.sql": "CREATE TABLE posts (id INT);\n",
  "003_tags.sql": "CREATE TABLE tags (id INT);\n",
};

const knexMigration = (table: string) => `exports.up = (knex) => knex.schema.createTable("${table}", (t) => { t.increments("id"); });\nexports.down = (knex) => knex.schema.dropTable("${table}");\n`;
const KNEX = {
  "20240101000000_users.js": knexMigration("users"),
  "20240102000000_posts.cjs": knexMigration("posts"),
  "20240103000000_tags.js": knexMigration("tags"),
};

async function project(dialect: Dialect, engine: string, files: Record<string, string>): Promise<EngineProject> {
  const p = await engineProject(dialect, engine, files);
  projects.push(p);
  return p;
}

function knexOf(p: EngineProject) {
  const real = realKnex(p);
  knexes.push(real.knex);
  return real;
}

describeDialects("baseline of the raw engine on %s", dialects, (dialect) => {
  it("records every migration up to ID with its checksum, runs none of them, and a run then applies only the rest", async () => {
    const p = await project(dialect, "raw", RAW);
    const report = await baseline(p, "002_posts");
    expect(report).toMatchObject({ ok: true, mode: "baseline" });
    expect(only(report)).toMatchObject({ status: "succeeded", applied: ["001_users", "002_posts"] });
    expect(only(report).migrations.map((m) => [m.id, m.state])).toEqual([["001_users", "applied"], ["002_posts", "applied"], ["003_tags", "pending"]]);
    const rows = await p.db.query<{ id: string; checksum: string; finished_at: string | null; execution_ms: unknown }>("SELECT id, checksum, finished_at, execution_ms FROM stagecraft_migrations ORDER BY id");
    expect(rows.map((r) => [r.id, r.checksum, r.finished_at !== null, Number(r.execution_ms)])).toEqual([
      ["001_users", sha256(RAW["001_users.sql"]), true, 0], ["002_posts", sha256(RAW["002_posts.sql"]), true, 0],
    ]);
    expect(await hasTable(p, "users")).toBe(false);
    expect(await hasTable(p, "posts")).toBe(false);
    expect(only(await p.run()).applied).toEqual(["003_tags"]);
    expect(await hasTable(p, "tags")).toBe(true);
  });

  it("a database already at ID has nothing to do; one past ID is refused without a change", async () => {
    const p = await project(dialect, "raw", RAW);
    await p.run({ to: "002_posts" });
    expect(only(await baseline(p, "002_posts"))).toMatchObject({ status: "succeeded", applied: [] });
    const past = only(await baseline(p, "001_users"));
    expect(past.status).toBe("failed");
    expect(past.error).toMatchObject({
      kind: "invalid_config",
      message: "database main: cannot baseline to 001_users: 002_posts is already applied after it",
      hint: "this database is past 001_users: baseline it to 002_posts or later, or leave it out (--exclude main)",
    });
    expect(past.migrations.map((m) => m.applied)).toEqual([true, true, false]);
  });

  it("refuses an ID that does not exist, naming the folder and the close IDs", async () => {
    const p = await project(dialect, "raw", RAW);
    const report = only(await baseline(p, "002"));
    expect(report.error).toMatchObject({
      kind: "invalid_config",
      message: `database main: cannot baseline: no migration 002 in ${p.dir}/migrations`,
      hint: "did you mean 002_posts? --to takes a migration ID as the plan lists it",
    });
    // Refused before anything is written: not even the bookkeeping table.
    expect(await hasTable(p, "stagecraft_migrations")).toBe(false);
  });

  it("refuses a history out of order: a later migration applied while an earlier one is not", async () => {
    const p = await project(dialect, "raw", RAW);
    expect(only(await p.resolve("002_posts", "applied")).status).toBe("succeeded");
    const report = only(await baseline(p, "003_tags"));
    expect(report.error).toMatchObject({
      kind: "invalid_config",
      migration: "001_users",
      message: "database main: cannot baseline to 003_tags: the history is out of order: 001_users is not applied but the later 002_posts is",
    });
    expect(report.error?.hint).toContain("stagecraft migrate resolve --database main --applied ID");
    expect(only(await p.plan()).migrations.map((m) => m.applied)).toEqual([false, true, false]);
  });

  it("refuses a failed, unfinished attempt until it is resolved", async () => {
    const p = await project(dialect, "raw", RAW);
    await p.run({ to: "001_users" });
    await p.db.query("INSERT INTO stagecraft_migrations (id, checksum, started_at, finished_at, execution_ms, error) VALUES ('002_posts', 'x', '2026-01-01T00:00:00.000Z', NULL, NULL, 'boom')");
    const report = only(await baseline(p, "003_tags"));
    expect(report.error).toMatchObject({
      kind: "migration_failed",
      migration: "002_posts",
      message: "database main: cannot baseline: migration 002_posts has a failed or unfinished attempt (boom); its effect on the database is unknown",
      hint: "settle it first: `stagecraft migrate resolve --database main --applied 002_posts` (it is complete) or `--rolled-back 002_posts` (it left nothing), then baseline again",
    });
    await p.resolve("002_posts", "rolled-back");
    expect(only(await baseline(p, "003_tags")).applied).toEqual(["002_posts", "003_tags"]);
  });

  it("is all or nothing: a bookkeeping write that fails leaves none of the baseline's rows", async () => {
    const p = await project(dialect, "raw", RAW);
    await p.run({ to: "001_users" });
    const trigger = {
      sqlite: ["CREATE TRIGGER no_posts BEFORE INSERT ON stagecraft_migrations WHEN NEW.id = '003_tags' BEGIN SELECT RAISE(ABORT, 'no tags here'); END"],
      postgres: [
        "CREATE FUNCTION no_posts() RETURNS trigger AS $$ BEGIN IF NEW.id = '003_tags' THEN RAISE EXCEPTION 'no tags here'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER no_posts BEFORE INSERT ON stagecraft_migrations FOR EACH ROW EXECUTE FUNCTION no_posts()",
      ],
      mysql: ["CREATE TRIGGER no_posts BEFORE INSERT ON stagecraft_migrations FOR EACH ROW BEGIN IF NEW.id = '003_tags' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no tags here'; END IF; END"],
    }[dialect];
    for (const sql of trigger) await p.db.query(sql);
    const report = only(await baseline(p, "003_tags"));
    expect(report.status).toBe("failed");
    expect(report.applied).toEqual([]);
    expect(report.error?.message).toContain("no tags here");
    expect((await p.db.query<{ id: string }>("SELECT id FROM stagecraft_migrations ORDER BY id")).map((r) => r.id)).toEqual(["001_users"]);
  });

  it("two baselines at once record each migration once: the second finds the database already at ID", async () => {
    const p = await project(dialect, "raw", RAW);
    const reports = await Promise.all([baseline(p, "002_posts"), baseline(p, "002_posts")]);
    expect(reports.map((r) => only(r).status)).toEqual(["succeeded", "succeeded"]);
    expect(reports.map((r) => only(r).applied).sort((a, b) => b.length - a.length)).toEqual([["001_users", "002_posts"], []]);
    expect((await p.db.query<{ id: string }>("SELECT id FROM stagecraft_migrations ORDER BY id")).map((r) => r.id)).toEqual(["001_users", "002_posts"]);
  });

  it("--plan previews what would be marked, the same refusals included, and writes nothing", async () => {
    const p = await project(dialect, "raw", RAW);
    const preview = await baseline(p, "002_posts", { plan: true });
    expect(preview.mode).toBe("plan");
    expect(only(preview).applied).toEqual([]);
    expect(only(preview).migrations.map((m) => [m.id, m.applied, m.action ?? null])).toEqual([["001_users", false, "mark"], ["002_posts", false, "mark"], ["003_tags", false, null]]);
    expect(await hasTable(p, "stagecraft_migrations")).toBe(false);
    expect(only(await baseline(p, "nope", { plan: true })).error?.message).toBe(`database main: cannot baseline: no migration nope in ${p.dir}/migrations`);
  });
});

describeDialects("baseline of the knex engine on %s", dialects, (dialect) => {
  it("records files up to ID in one new batch; knex's own Migrator then lists them completed and applies only the rest", async () => {
    const p = await project(dialect, "knex", KNEX);
    expect(only(await p.run({ to: "20240101000000_users.js" })).applied).toEqual(["20240101000000_users.js"]);
    const report = only(await baseline(p, "20240103000000_tags.js"));
    expect(report).toMatchObject({ status: "succeeded", applied: ["20240102000000_posts.cjs", "20240103000000_tags.js"] });
    const { knex, config } = knexOf(p);
    const rows = await knex("knex_migrations").select("name", "batch", "migration_time").orderBy("id");
    expect(rows.map((r: { name: string; batch: number }) => [r.name, Number(r.batch)])).toEqual([
      ["20240101000000_users.js", 1], ["20240102000000_posts.cjs", 2], ["20240103000000_tags.js", 2],
    ]);
    expect(rows.every((r: { migration_time: unknown }) => r.migration_time !== null)).toBe(true);
    expect(await knex.schema.hasTable("posts")).toBe(false);
    expect(await knex.migrate.status(config)).toBe(0);
    const [completed, pending] = await knex.migrate.list(config);
    expect(completed.map((c: { name: string }) => c.name)).toEqual(["20240101000000_users.js", "20240102000000_posts.cjs", "20240103000000_tags.js"]);
    expect(pending).toEqual([]);
    expect(await knex.migrate.latest(config)).toEqual([2, []]);
    expect(await knex.schema.hasTable("tags")).toBe(false);
  });

  it("after a baseline to the middle, knex's Migrator reports one pending and applies exactly it", async () => {
    const p = await project(dialect, "knex", KNEX);
    expect(only(await baseline(p, "20240102000000_posts.cjs")).applied).toEqual(["20240101000000_users.js", "20240102000000_posts.cjs"]);
    const { knex, config } = knexOf(p);
    expect(await knex.migrate.status(config)).toBe(-1);
    expect((await knex.migrate.list(config))[1].map((f: { file: string }) => f.file)).toEqual(["20240103000000_tags.js"]);
    expect(await knex.migrate.latest(config)).toEqual([2, ["20240103000000_tags.js"]]);
    expect(await knex.schema.hasTable("users")).toBe(false);
    expect(await knex.schema.hasTable("tags")).toBe(true);
    expect(only(await baseline(p, "20240103000000_tags.js")).applied).toEqual([]);
  });

  it("refuses while an attempt outside a transaction is unfinished", async () => {
    const p = await project(dialect, "knex", KNEX);
    await p.run({ to: "20240101000000_users.js" });
    await p.db.query("CREATE TABLE IF NOT EXISTS stagecraft_knex_unfinished (id VARCHAR(255) PRIMARY KEY, started_at VARCHAR(32) NOT NULL, error TEXT)");
    await p.db.query(`INSERT INTO stagecraft_knex_unfinished (id, started_at, error) VALUES ('20240102000000_posts.cjs', '2026-01-01T00:00:00.000Z', NULL)`);
    const report = only(await baseline(p, "20240103000000_tags.js"));
    expect(report.error).toMatchObject({ kind: "migration_failed", migration: "20240102000000_posts.cjs" });
    expect(report.error?.message).toBe("database main: cannot baseline: migration 20240102000000_posts.cjs has a failed or unfinished attempt; its effect on the database is unknown");
    const { knex } = knexOf(p);
    expect((await knex("knex_migrations").select("name")).map((r: { name: string }) => r.name)).toEqual(["20240101000000_users.js"]);
  });
});

describeDialects("baseline across a selection on %s", dialects, (dialect) => {
  it("a database whose history disagrees fails alone; the others are baselined", async () => {
    const p = await project(dialect, "raw", RAW);
    const other = await createDatabase(dialect, p.dir);
    extraDbs.push(other);
    const main = { connection_env: "MAIN_URL", migrations: { engine: "raw", path: "./migrations" } };
    writeFileSync(p.file, stringify({ databases: { main, ahead: { ...main, connection_env: "AHEAD_URL" } } }));
    const env = { ...p.env, AHEAD_URL: other.url };
    await baselineAll(p.file, { env, to: "003_tags", databases: ["ahead"] });
    const report = await baselineAll(p.file, { env, to: "002_posts" });
    expect(report.ok).toBe(false);
    expect(report.summary).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    const [ahead, main2] = report.databases;
    expect(ahead).toMatchObject({ name: "ahead", status: "failed", applied: [] });
    expect(ahead?.error?.message).toBe("database ahead: cannot baseline to 002_posts: 003_tags is already applied after it");
    expect(main2).toMatchObject({ name: "main", status: "succeeded", applied: ["001_users", "002_posts"] });
  });
});

describe("baseline through a custom engine", () => {
  it("an engine without baseline() fails its databases with unsupported; one returning garbage is named as broken", async () => {
    const plan = async () => [{ id: "001", description: "first", applied: false }];
    const engines: Engine[] = [
      { id: "bl-none", plan, run: async () => ({ applied: [] }) },
      { id: "bl-broken", plan, run: async () => ({ applied: [] }), baseline: async () => ({ marked: "001" }) as never },
      { id: "bl-good", plan, run: async () => ({ applied: [] }), baseline: async (opts) => ({ marked: [opts.to] }) },
    ];
    for (const engine of engines) if (!defaultRegistry.has(engine.id)) defaultRegistry.register(engine);
    const project = tempProject();
    try {
      project.write("m/.keep", "");
      const databases = Object.fromEntries(engines.map((e) => [e.id, { connection_env: "U", migrations: { engine: e.id, path: "./m" } }]));
      const file = project.write("stagecraft.yml", stringify({ databases }));
      const report = await baselineAll(file, { env: { U: "sqlite::memory:" }, to: "001", inProcess: true });
      const byName = Object.fromEntries(report.databases.map((db) => [db.name, db]));
      expect(byName["bl-none"]?.error).toMatchObject({ kind: "unsupported", message: "database bl-none: engine bl-none cannot baseline: it has no baseline operation" });
      expect(byName["bl-broken"]?.error).toMatchObject({ kind: "internal", message: "database bl-broken: engine bl-broken returned an invalid result from baseline(): must resolve to an object { marked: string[] }" });
      expect(byName["bl-good"]).toMatchObject({ status: "succeeded", applied: ["001"] });
      const preview = await baselineAll(file, { env: { U: "sqlite::memory:" }, to: "001", plan: true, inProcess: true });
      expect(preview.databases.find((db) => db.name === "bl-none")?.error?.kind).toBe("unsupported");
      expect(preview.databases.find((db) => db.name === "bl-good")?.migrations.map((m) => m.action)).toEqual(["mark"]);
    } finally {
      project.cleanup();
    }
  });
});
