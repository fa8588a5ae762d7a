import { mkdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { baseline, DRIZZLE_STAMPS, DRIZZLE_WHEN, drizzleFolder, drizzleKitUp, drizzleMigrate, drizzleName, hasTable, sha256 } from "../helpers/baseline-kit.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { prismaReferee } from "../helpers/prisma-referee.js";
import { get } from "../helpers/stagecraft.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

async function project(dialect: Dialect, engine: string, files: Record<string, string>): Promise<EngineProject> {
  const p = await engineProject(dialect, engine, files);
  projects.push(p);
  return p;
}

// Independent tables: the migration after the baseline runs without the ones the baseline skipped.
const DRIZZLE_BODIES = ["CREATE TABLE b_one (id INT);", "CREATE TABLE b_two (id INT);\n--> statement-breakpoint\nCREATE TABLE b_two_more (id INT);", "CREATE TABLE b_three (id INT);"];
const drizzleTable = (p: EngineProject) => (p.db.dialect === "postgres" ? "drizzle.__drizzle_migrations" : "__drizzle_migrations");

const cases = dialects.flatMap((d) => (["journal", "folders"] as const).map((f) => [d, f] as const));
describe.each(cases)("baseline of the drizzle engine on %s, %s layout", (dialect, format) => {
  it("writes drizzle-orm's own rows (hash, created_at, name); drizzle-orm's migrate() then applies only what comes after", async () => {
    const p = await project(dialect, "drizzle", drizzleFolder(format, DRIZZLE_BODIES));
    const [first, second, third] = [0, 1, 2].map((i) => drizzleName(format, i));
    expect(only(await baseline(p, second!))).toMatchObject({ status: "succeeded", applied: [first, second] });
    const columns = format === "folders" ? "hash, created_at, name" : "hash, created_at";
    const rows = await p.db.query<{ hash: string; created_at: unknown; name?: string }>(`SELECT ${columns} FROM ${drizzleTable(p)} ORDER BY created_at`);
    const createdAt = (i: number) => (format === "journal" ? DRIZZLE_WHEN[i]! : Date.UTC(2024, 0, Number(DRIZZLE_STAMPS[i]!.slice(6, 8))));
    expect(rows.map((r) => [r.hash, Number(r.created_at), ...(format === "folders" ? [r.name] : [])])).toEqual([0, 1].map((i) => [
      sha256(DRIZZLE_BODIES[i]!), createdAt(i), ...(format === "folders" ? [drizzleName(format, i)] : []),
    ]));
    expect(await hasTable(p, "b_one")).toBe(false);
    await drizzleMigrate(p, format);
    expect(await hasTable(p, "b_three")).toBe(true);
    expect(await hasTable(p, "b_one")).toBe(false);
    expect(await hasTable(p, "b_two")).toBe(false);
    expect(only(await p.plan()).migrations.map((m) => [m.id, m.applied])).toEqual([[first, true], [second, true], [third, true]]);
    expect(only(await baseline(p, third!)).applied).toEqual([]);
  });

  it("after a baseline to the newest migration, drizzle-orm's migrate() applies nothing", async () => {
    const p = await project(dialect, "drizzle", drizzleFolder(format, DRIZZLE_BODIES));
    expect(only(await baseline(p, drizzleName(format, 2))).applied).toHaveLength(3);
    await drizzleMigrate(p, format);
    const count = await p.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${drizzleTable(p)}`);
    expect(Number(count[0]?.n)).toBe(3);
    for (const table of ["b_one", "b_two", "b_three"]) expect(await hasTable(p, table)).toBe(false);
  });
});

describeDialects("baseline of the drizzle engine on %s: a drizzle 0.x table under the 1.0 folder layout", dialects, (dialect) => {
  it("upgrades the table as drizzle 1.0 does before recording; drizzle-orm 1.0 then applies only what comes after", async () => {
    const p = await project(dialect, "drizzle", drizzleFolder("journal", DRIZZLE_BODIES.slice(0, 2)));
    await drizzleMigrate(p, "journal");
    const names = drizzleKitUp(p);
    for (const [name, table] of [["20240301000000_three", "b_three"], ["20240302000000_four", "b_four"]] as const) {
      mkdirSync(`${p.dir}/migrations/${name}`);
      p.migration(`${name}/migration.sql`, `CREATE TABLE ${table} (id INT);`);
    }
    expect(only(await baseline(p, "20240301000000_three")).applied).toEqual(["20240301000000_three"]);
    const rows = await p.db.query<{ name: string | null }>(`SELECT name FROM ${drizzleTable(p)} ORDER BY created_at`);
    expect(rows.map((r) => r.name)).toEqual([...names, "20240301000000_three"]);
    await drizzleMigrate(p, "folders");
    expect(await hasTable(p, "b_four")).toBe(true);
    expect(await hasTable(p, "b_three")).toBe(false);
  });
});

const PROVIDER: Record<Dialect, string> = { postgres: "postgresql", mysql: "mysql", sqlite: "sqlite" };
const PRISMA = {
  "20240101000000_init/migration.sql": "CREATE TABLE p_users (id INT PRIMARY KEY);\n",
  "20240102000000_posts/migration.sql": "CREATE TABLE p_posts (id INT PRIMARY KEY);\n",
  "20240103000000_tags/migration.sql": "CREATE TABLE p_tags (id INT PRIMARY KEY);\n",
};
const prismaFiles = (dialect: Dialect) => ({ "migration_lock.toml": `provider = "${PROVIDER[dialect]}"\n`, ...PRISMA });

interface PrismaRow { migration_name: string; checksum: string; started_at: unknown; finished_at: unknown; rolled_back_at: unknown; logs: unknown; applied_steps_count: unknown }

describeDialects("baseline of the prisma engine on %s", dialects, (dialect) => {
  it("writes the rows `prisma migrate resolve --applied` writes, one per migration up to ID", async () => {
    const p = await project(dialect, "prisma", prismaFiles(dialect));
    expect(only(await baseline(p, "20240102000000_posts"))).toMatchObject({ status: "succeeded", applied: ["20240101000000_init", "20240102000000_posts"] });
    const rows = await p.db.query<PrismaRow>("SELECT * FROM _prisma_migrations ORDER BY migration_name");
    expect(rows.map((r) => r.migration_name)).toEqual(["20240101000000_init", "20240102000000_posts"]);
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(sha256(Object.values(PRISMA)[i]!));
      expect(row).toMatchObject({ rolled_back_at: null, logs: null });
      expect(row.finished_at).not.toBeNull();
      expect(String(row.finished_at)).toBe(String(row.started_at));
      expect(Number(row.applied_steps_count)).toBe(0);
    }
    expect(await hasTable(p, "p_users")).toBe(false);
    expect(only(await p.run()).applied).toEqual(["20240103000000_tags"]);
  });

  it("refuses a failed attempt (Prisma's P3009 state) and writes nothing", async () => {
    const p = await project(dialect, "prisma", prismaFiles(dialect));
    await baseline(p, "20240101000000_init");
    await p.db.query(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('00000000-0000-4000-8000-000000000000', 'x', '20240102000000_posts', CURRENT_TIMESTAMP, 0)`);
    const report = only(await baseline(p, "20240103000000_tags"));
    expect(report.error).toMatchObject({ kind: "migration_failed", migration: "20240102000000_posts" });
    expect(report.error?.message).toBe("database main: cannot baseline: migration 20240102000000_posts has a failed or unfinished attempt; its effect on the database is unknown");
    expect((await p.db.query("SELECT id FROM _prisma_migrations")).length).toBe(2);
  });
});

describe.each(dialects.filter((d) => d !== "mysql"))("baseline of the prisma engine checked by Prisma's schema engine on %s", (dialect) => {
  it("adopts a database whose schema is already there: Prisma diagnoses a clean history and applies only the migration after ID", async () => {
    const p = await project(dialect, "prisma", prismaFiles(dialect));
    // The schema of the first two migrations, made by other means: without a baseline, Prisma and stagecraft refuse it (P3005).
    await p.db.query("CREATE TABLE p_users (id INT PRIMARY KEY)");
    await p.db.query("CREATE TABLE p_posts (id INT PRIMARY KEY)");
    expect(only(await p.run()).error?.message).toContain("(Prisma's P3005)");
    expect(only(await baseline(p, "20240102000000_posts")).applied).toEqual(["20240101000000_init", "20240102000000_posts"]);
    const prisma = await prismaReferee(PROVIDER[dialect] as "postgresql" | "sqlite", p.db.url, `${p.dir}/migrations`);
    try {
      expect(await prisma.diagnose()).toMatchObject({ failedMigrationNames: [], editedMigrationNames: [], hasMigrationsTable: true });
      expect(await prisma.apply()).toEqual(["20240103000000_tags"]);
      expect(await prisma.apply()).toEqual([]);
    } finally {
      await prisma.close();
    }
    expect(await hasTable(p, "p_tags")).toBe(true);
    expect(only(await p.plan()).migrations.every((m) => m.applied)).toBe(true);
  });
});

describeDialects("baseline --plan on %s", dialects, (dialect) => {
  it("previews with every engine: the marks, and not even a bookkeeping table is created", async () => {
    const knexFile = `exports.up = (knex) => knex.schema.createTable("k_one", (t) => t.integer("id"));\nexports.down = (knex) => knex.schema.dropTable("k_one");\n`;
    const setups = [
      { engine: "drizzle", files: drizzleFolder("folders", DRIZZLE_BODIES), to: drizzleName("folders", 1), marked: [drizzleName("folders", 0), drizzleName("folders", 1)] },
      { engine: "prisma", files: prismaFiles(dialect), to: "20240101000000_init", marked: ["20240101000000_init"] },
      { engine: "knex", files: { "001_one.js": knexFile, "002_two.js": knexFile.replaceAll("k_one", "k_two") }, to: "002_two.js", marked: ["001_one.js", "002_two.js"] },
    ];
    for (const { engine, files, to, marked } of setups) {
      const p = await project(dialect, engine, files);
      const preview = only(await baseline(p, to, { plan: true }));
      expect(preview.status, engine).toBe("planned");
      expect(preview.migrations.filter((m) => m.action === "mark").map((m) => m.id), engine).toEqual(marked);
      expect(preview.applied, engine).toEqual([]);
      const tables = { sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'", postgres: "SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')", mysql: "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()" }[dialect];
      expect(await p.db.query(tables), engine).toEqual([]);
    }
  });
});

describeDialects("each engine's own baseline() on %s", dialects, (dialect) => {
  it("refuses by itself, under its lock, what the runner's read-only check would refuse (a change that slipped in between)", async () => {
    const knexFile = `exports.up = async () => {};\nexports.down = async () => {};\n`;
    const setups = [
      { engine: "raw", files: { "001_a.sql": "SELECT 1;\n", "002_b.sql": "SELECT 1;\n" }, ids: ["001_a", "002_b"] },
      { engine: "drizzle", files: drizzleFolder("folders", DRIZZLE_BODIES.slice(0, 2)), ids: [drizzleName("folders", 0), drizzleName("folders", 1)] },
      { engine: "prisma", files: { "migration_lock.toml": `provider = "${PROVIDER[dialect]}"\n`, "20240101000000_a/migration.sql": "SELECT 1;\n", "20240102000000_b/migration.sql": "SELECT 1;\n" }, ids: ["20240101000000_a", "20240102000000_b"] },
      { engine: "knex", files: { "001_a.js": knexFile, "002_b.js": knexFile }, ids: ["001_a.js", "002_b.js"] },
    ];
    for (const { engine, files, ids } of setups) {
      const p = await project(dialect, engine, files);
      const impl = get(engine);
      const opts = { config: {}, migrationPath: `${p.dir}/migrations`, connectionEnv: "MAIN_URL", url: p.db.url, workDir: p.dir, database: "main", lockTimeoutMs: 5_000, signal: new AbortController().signal };
      await expect(impl.baseline!({ ...opts, to: "nope" }), engine).rejects.toThrow(`cannot baseline: no migration nope in ${p.dir}/migrations`);
      expect(await impl.baseline!({ ...opts, to: ids[1]! }), engine).toMatchObject({ marked: ids });
      await expect(impl.baseline!({ ...opts, to: ids[0]! }), engine).rejects.toThrow(`cannot baseline to ${ids[0]}: ${ids[1]} is already applied after it`);
      expect(await impl.baseline!({ ...opts, to: ids[1]! }), engine).toMatchObject({ marked: [] });
    }
  });
});

