import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import knexFactory, { type Knex } from "knex";
import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";
import { tempProject } from "../helpers/project.js";
import { runAll } from "../helpers/stagecraft.js";
import { stringify } from "yaml";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
const knexes: Knex[] = [];
afterEach(async () => {
  await Promise.all(knexes.splice(0).map((k) => k.destroy()));
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const migration = (table: string) => `
exports.up = (knex) => knex.schema.createTable("${table}", (t) => { t.increments("id"); t.string("name"); });
exports.down = (knex) => knex.schema.dropTable("${table}");
`;
const FILES = {
  "20240101000000_users.js": migration("users"),
  "20240102000000_posts.cjs": migration("posts"),
  "20240103000000_tags.js": migration("tags"),
  "notes.txt": "ignored",
};

async function project(dialect: Dialect, files: Record<string, string> = FILES, settings: Record<string, unknown> = {}): Promise<EngineProject> {
  const p = await engineProject(dialect, "knex", files, settings);
  projects.push(p);
  return p;
}

/** Real knex on the same database and folder: the referee. */
function realKnex(p: EngineProject): { knex: Knex; config: Knex.MigratorConfig } {
  const connection = p.db.dialect === "sqlite" ? { filename: p.db.url.slice("sqlite:".length) } : p.db.url;
  const client = { sqlite: "better-sqlite3", postgres: "pg", mysql: "mysql2" }[p.db.dialect];
  const knex = knexFactory({ client, connection, useNullAsDefault: true, log: { warn() {}, error() {}, deprecate() {}, debug() {} } });
  knexes.push(knex);
  return { knex, config: { directory: `${p.dir}/migrations` } };
}

describe.each(dialects)("knex engine on %s", (dialect) => {
  it("plans, runs, reruns and reverts; knex's own status() and list() agree", async () => {
    const p = await project(dialect);
    expect(only(await p.plan()).migrations.map((m) => [m.id, m.description, m.applied])).toEqual([
      ["20240101000000_users.js", "users", false],
      ["20240102000000_posts.cjs", "posts", false],
      ["20240103000000_tags.js", "tags", false],
    ]);
    const run = only(await p.run());
    expect(run).toMatchObject({ status: "succeeded", applied: ["20240101000000_users.js", "20240102000000_posts.cjs", "20240103000000_tags.js"] });
    expect(run.migrations.every((m) => m.applied && typeof m.appliedAt === "string")).toBe(true);
    expect(only(await p.run()).applied).toEqual([]);

    const { knex, config } = realKnex(p);
    expect(await knex.migrate.status(config)).toBe(0);
    const [completed, pending] = await knex.migrate.list(config);
    expect(completed.map((c: { name: string }) => c.name)).toEqual(["20240101000000_users.js", "20240102000000_posts.cjs", "20240103000000_tags.js"]);
    expect(pending).toEqual([]);
    expect(await knex.migrate.latest(config)).toEqual([1, []]);

    const down = only(await p.run({ direction: "down", steps: 2 }));
    expect(down.applied).toEqual(["20240103000000_tags.js", "20240102000000_posts.cjs"]);
    expect(await knex.schema.hasTable("tags")).toBe(false);
    expect(await knex.schema.hasTable("users")).toBe(true);
    expect(await knex.migrate.status(config)).toBe(-2);
  });

  it("finishes a project that knex half-migrated, applying only the rest, one step at a time", async () => {
    const p = await project(dialect);
    const { knex, config } = realKnex(p);
    await knex.migrate.up(config);
    expect(only(await p.plan()).migrations.map((m) => m.applied)).toEqual([true, false, false]);
    expect(only(await p.run({ steps: 1 })).applied).toEqual(["20240102000000_posts.cjs"]);
    expect(only(await p.run()).applied).toEqual(["20240103000000_tags.js"]);
    const rows = await knex("knex_migrations").select("name", "batch").orderBy("id");
    expect(rows.map((r: { name: string }) => r.name)).toEqual(["20240101000000_users.js", "20240102000000_posts.cjs", "20240103000000_tags.js"]);
    expect(rows.map((r: { batch: number }) => Number(r.batch))).toEqual([1, 2, 3]);
  });

  it("a stale knex lock gives a lock_timeout error that says how to free it", async () => {
    const p = await project(dialect, FILES, { lock_timeout_ms: 300 });
    const { knex, config } = realKnex(p);
    await knex.migrate.up(config);
    await knex("knex_migrations_lock").update({ is_locked: 1 });
    const report = only(await p.run());
    expect(report.error?.kind).toBe("lock_timeout");
    expect(report.error?.message).toBe("database main: timed out after 300 ms waiting for knex's migration lock (knex_migrations_lock.is_locked = 1)");
    expect(report.error?.hint).toContain("npx knex migrate:unlock");
    await knex.migrate.forceFreeMigrationsLock(config);
    expect(only(await p.run()).applied).toHaveLength(2);
  });

  it("a failing migration in the default mode (one transaction for the run)", async () => {
    const p = await project(dialect, {
      "001_ok.js": migration("ok_table"),
      "002_bad.js": `exports.up = async (knex) => { await knex.schema.createTable("half", (t) => t.integer("id")); await knex.raw("SELECT * FROM missing_table"); };\nexports.down = async () => {};\n`,
    });
    const report = only(await p.run());
    expect(report.status).toBe("failed");
    expect(report.error).toMatchObject({ kind: "migration_failed", migration: "002_bad.js" });
    expect(report.error?.message).toContain(`database main: ${p.dir}/migrations/002_bad.js: `);
    const { knex } = realKnex(p);
    const names = (await knex.schema.hasTable("knex_migrations")) ? (await knex("knex_migrations").select("name")).map((r: { name: string }) => r.name) : [];
    if (dialect === "mysql") {
      // DDL commits implicitly on MySQL: the first migration stays recorded and `half` behind, and
      // the half-done one is recorded as failed, blocking until resolved (knex itself would rerun it).
      expect(names).toEqual(["001_ok.js"]);
      expect(report.applied).toEqual(["001_ok.js"]);
      expect(await knex.schema.hasTable("half")).toBe(true);
      expect(report.error?.message).toContain("its DDL committed as it ran, so part of it may stay; the migration is recorded as failed and blocks later runs");
      const blocked = only(await p.plan());
      expect(blocked.error).toMatchObject({ kind: "migration_failed", migration: "002_bad.js" });
      expect(blocked.migrations.map((m) => m.state)).toEqual(["applied", "failed"]);
      expect(Number((await knex("knex_migrations_lock").first("is_locked")).is_locked)).toBe(0);
    } else {
      // knex's tables are made in the run's one transaction, so a failed first run leaves nothing at all.
      expect(names).toEqual([]);
      expect(report.applied).toEqual([]);
      expect(await knex.schema.hasTable("ok_table")).toBe(false);
      expect(await knex.schema.hasTable("knex_migrations_lock")).toBe(false);
      // knex's own Migrator makes its tables again and runs from the start.
      p.migration("002_bad.js", migration("good_table"));
      expect(await knex.migrate.latest({ directory: `${p.dir}/migrations` })).toEqual([1, ["001_ok.js", "002_bad.js"]]);
    }
  });

  it("a failing migration with disableTransactions keeps the earlier ones recorded", async () => {
    const p = await project(dialect, {
      "001_ok.js": migration("ok_table"),
      "002_bad.js": `exports.up = (knex) => knex.raw("SELECT * FROM missing_table");\nexports.down = async () => {};\n`,
    }, { disableTransactions: true });
    const report = only(await p.run());
    expect(report.error?.migration).toBe("002_bad.js");
    expect(report.applied).toEqual(["001_ok.js"]);
    expect(only(await p.plan()).migrations.map((m) => m.applied)).toEqual([true, false]);
  });

  it("loads .mjs when loadExtensions lists it, and refuses a module without down before applying anything", async () => {
    const p = await project(dialect, {
      "001_a.mjs": "export const up = (knex) => knex.schema.createTable('from_mjs', (t) => t.integer('id'));\nexport const down = (knex) => knex.schema.dropTable('from_mjs');\n",
    }, { loadExtensions: [".js", ".mjs"] });
    expect(only(await p.run()).applied).toEqual(["001_a.mjs"]);
    p.migration("002_no_down.js", "exports.up = (knex) => knex.schema.createTable('never', (t) => t.integer('id'));\n");
    const report = only(await p.run());
    expect(report.error).toMatchObject({ kind: "invalid_config", migration: "002_no_down.js" });
    expect(report.error?.message).toBe("database main: knex migration 002_no_down.js must export both up and down functions; nothing was applied");
    const { knex } = realKnex(p);
    expect(await knex.schema.hasTable("never")).toBe(false);
  });

  it("reports a missing migration file as knex's corrupt directory, with a hint", async () => {
    const p = await project(dialect);
    await p.run();
    p.remove("20240102000000_posts.cjs");
    const report = only(await p.plan());
    expect(report.error?.kind).toBe("checksum_mismatch");
    expect(report.error?.message).toBe("database main: knex_migrations records migrations whose files are gone: 20240102000000_posts.cjs");
  });
});

describe("knex engine: modules that do not load", () => {
  it("a TypeScript migration without a loader is dependency_missing, and nothing is applied", async () => {
    const p = await project("sqlite", {
      "001_ok.js": migration("ok_table"),
      "002_typed.ts": 'import type { Knex } from "knex";\nexport async function up(knex: Knex): Promise<void> { await knex.schema.createTable("typed", (t) => t.integer("id")); }\nexport async function down(knex: Knex): Promise<void> {}\n',
    });
    const report = only(await p.run());
    expect(report.error).toMatchObject({ kind: "dependency_missing", migration: "002_typed.ts", file: `${p.dir}/migrations/002_typed.ts` });
    expect(report.error?.hint).toContain("node --import tsx");
    expect(report.applied).toEqual([]);
  });

  it("a TypeScript migration in a \"type\": \"module\" project (loaded by import(), not require) is dependency_missing too", async () => {
    const p = await project("sqlite", {
      "001_ok.js": "export const up = (knex) => knex.schema.createTable('ok_table', (t) => t.integer('id'));\nexport const down = async () => {};\n",
      "002_typed.ts": 'import type { Knex } from "knex";\nexport async function up(knex: Knex): Promise<void> { await knex.schema.createTable("typed", (t) => t.integer("id")); }\nexport async function down(knex: Knex): Promise<void> {}\n',
    });
    writeFileSync(join(p.dir, "package.json"), JSON.stringify({ type: "module" }));
    const report = only(await p.run());
    expect(report.error).toMatchObject({ kind: "dependency_missing", migration: "002_typed.ts", file: `${p.dir}/migrations/002_typed.ts` });
    expect(report.error?.hint).toContain("node --import tsx");
    expect(report.applied).toEqual([]);
  });

  it("a module with a syntax error names its file and line, and nothing is applied", async () => {
    const p = await project("sqlite", { "001_broken.js": "exports.up = async (knex) => {\n  knex.schema.createTable('x', (t) => {) ;\n};\nexports.down = async () => {};\n" });
    const report = only(await p.run());
    expect(report.error).toMatchObject({ kind: "migration_failed", migration: "001_broken.js", line: 2 });
    expect(report.error?.message).toContain(`${p.dir}/migrations/001_broken.js:2: SyntaxError:`);
  });
});

describe("knex engine crash isolation", () => {
  it("a knex migration that calls process.exit fails its database only", async () => {
    const bad = await project("sqlite", { "001_exit.js": "exports.up = () => process.exit(9);\nexports.down = async () => {};\n" });
    const good = await project("sqlite");
    const [badReport, goodReport] = await Promise.all([bad.run(), good.run()]);
    expect(only(badReport).error?.message).toContain("the worker thread running engine knex died");
    expect(only(goodReport).applied).toHaveLength(3);
  });
});

describe("knex engine on a SQLite file in a folder that does not exist yet", () => {
  it("creates the folder, as stagecraft's own SQLite driver does, instead of failing to connect", async () => {
    const p = tempProject();
    try {
      p.write("migrations/20240101000000_users.js", migration("users"));
      const file = p.write("stagecraft.yml", stringify({ databases: { jobs: { connection_env: "JOBS_URL", migrations: { engine: "knex", path: "./migrations" } } } }));
      const report = await runAll(file, { env: { JOBS_URL: "sqlite:./not-yet/jobs.db" } });
      expect(report.databases[0]).toMatchObject({ status: "succeeded", applied: ["20240101000000_users.js"] });
      expect(existsSync(join(p.dir, "not-yet", "jobs.db"))).toBe(true);
    } finally {
      p.cleanup();
    }
  });
});
