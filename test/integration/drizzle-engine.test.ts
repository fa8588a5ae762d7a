import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

type Format = "journal" | "folders";
const BREAK = "--> statement-breakpoint\n";
const WHEN = [1700000000000, 1700000100000, 1700000200000, 1700000300000];
const STAMPS = ["20240101000000", "20240102000000", "20240103000000", "20240104000000"];

/** A drizzle-kit output folder with migrations 0..n-1 of `bodies`, in either layout. */
function drizzleFiles(format: Format, bodies: string[], whens = WHEN): Record<string, string> {
  const files: Record<string, string> = {};
  const entries = bodies.map((body, idx) => {
    const tag = nameOf(format, idx);
    files[format === "journal" ? `${tag}.sql` : `${tag}/migration.sql`] = body;
    return { idx, version: "7", when: whens[idx], tag, breakpoints: true };
  });
  if (format === "journal") files["meta/_journal.json"] = JSON.stringify({ version: "7", dialect: "postgresql", entries }, null, 2);
  return files;
}

const BODIES = [
  `CREATE TABLE users (id INT);\n${BREAK}INSERT INTO users VALUES (1);`,
  "CREATE TABLE posts (id INT);",
  `CREATE TABLE tags (id INT);\n${BREAK}CREATE TABLE tag_links (id INT);`,
];

async function project(dialect: Dialect, files: Record<string, string>, settings: Record<string, unknown> = {}): Promise<EngineProject> {
  const p = await engineProject(dialect, "drizzle", files, settings);
  projects.push(p);
  return p;
}

/** Runs the real drizzle-orm migrator (0.45 for the journal layout, 1.0-rc for folders) on the project's folder. */
async function drizzleMigrate(p: EngineProject, format: Format): Promise<void> {
  const pkg = format === "journal" ? "drizzle-orm" : "drizzle-orm-v1";
  const folder = `${p.dir}/migrations`;
  if (p.db.dialect === "sqlite") {
    const client = new Database(p.db.url.slice("sqlite:".length));
    const { drizzle } = await import(`${pkg}/better-sqlite3`);
    const { migrate } = await import(`${pkg}/better-sqlite3/migrator`);
    migrate(drizzle({ client }), { migrationsFolder: folder });
    client.close();
  } else if (p.db.dialect === "postgres") {
    const client = new pg.Client({ connectionString: p.db.url });
    await client.connect();
    const { drizzle } = await import(`${pkg}/node-postgres`);
    const { migrate } = await import(`${pkg}/node-postgres/migrator`);
    await migrate(drizzle({ client }), { migrationsFolder: folder });
    await client.end();
  } else {
    const client = await mysql.createConnection({ uri: p.db.url });
    const { drizzle } = await import(`${pkg}/mysql2`);
    const { migrate } = await import(`${pkg}/mysql2/migrator`);
    await migrate(drizzle({ client }), { migrationsFolder: folder });
    await client.end();
  }
}

/** Adds migration `name` (journal tag or folder name) the way drizzle-kit generate would. */
function addMigration(p: EngineProject, format: Format, name: string, body: string, when: number): void {
  if (format === "folders") {
    mkdirSync(`${p.dir}/migrations/${name}`, { recursive: true });
    writeFileSync(`${p.dir}/migrations/${name}/migration.sql`, body);
    return;
  }
  writeFileSync(`${p.dir}/migrations/${name}.sql`, body);
  const journalPath = `${p.dir}/migrations/meta/_journal.json`;
  const journal = JSON.parse(readFileSync(journalPath, "utf8"));
  journal.entries.push({ idx: journal.entries.length, version: "7", when, tag: name, breakpoints: true });
  writeFileSync(journalPath, JSON.stringify(journal));
}

/** Name of generated migration `idx` in the layout. */
const nameOf = (format: Format, idx: number) => (format === "journal" ? `000${idx}_step${idx}` : `${STAMPS[idx]}_step${idx}`);

async function count(p: EngineProject, table: string): Promise<number> {
  const rows = await p.db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n);
}

const tableName = (p: EngineProject) => (p.db.dialect === "postgres" ? "drizzle.__drizzle_migrations" : "__drizzle_migrations");

describe.each(dialects.flatMap((d) => (["journal", "folders"] as const).map((f) => [d, f] as const)))("drizzle engine on %s, %s layout", (dialect, format) => {
  it("after stagecraft applies the folder, drizzle-orm applies nothing; a new migration is applied exactly once by either tool", async () => {
    const p = await project(dialect, drizzleFiles(format, BODIES.slice(0, 2)));
    const report = only(await p.run());
    expect(report.applied).toEqual(format === "journal" ? ["0000_step0", "0001_step1"] : ["20240101000000_step0", "20240102000000_step1"]);
    await drizzleMigrate(p, format);
    expect(await count(p, "users")).toBe(1);
    expect(await count(p, tableName(p))).toBe(2);
    addMigration(p, format, nameOf(format, 2), BODIES[2]!, WHEN[2]!);
    await drizzleMigrate(p, format);
    expect(await count(p, tableName(p))).toBe(3);
    const plan = only(await p.plan());
    expect(plan.migrations.every((m) => m.applied)).toBe(true);
    // drizzle 1.0 records applied_at (also for rows drizzle-orm wrote); 0.x records no time.
    expect(plan.migrations.map((m) => (format === "folders" ? /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(m.appliedAt ?? "") : m.appliedAt === undefined))).toEqual([true, true, true]);
    expect(only(await p.run()).applied).toEqual([]);
    addMigration(p, format, nameOf(format, 3), "INSERT INTO users VALUES (2);", WHEN[3]!);
    expect(only(await p.run()).applied).toHaveLength(1);
    await drizzleMigrate(p, format);
    expect(await count(p, "users")).toBe(2);
  });

  it("after drizzle-orm applies part of the folder, stagecraft plans and applies only the rest", async () => {
    const p = await project(dialect, drizzleFiles(format, BODIES.slice(0, 1)));
    await drizzleMigrate(p, format);
    addMigration(p, format, nameOf(format, 1), BODIES[1]!, WHEN[1]!);
    addMigration(p, format, nameOf(format, 2), BODIES[2]!, WHEN[2]!);
    expect(only(await p.plan()).migrations.map((m) => m.applied)).toEqual([true, false, false]);
    expect(only(await p.run()).applied).toHaveLength(2);
    expect(await count(p, "users")).toBe(1);
    expect(await count(p, tableName(p))).toBe(3);
  });

  it("applies a migration merged late (older than the newest applied), or refuses it when configured", async () => {
    const p = await project(dialect, drizzleFiles(format, ["CREATE TABLE a (id INT);", "CREATE TABLE c (id INT);"]));
    await p.run();
    // Older than both applied migrations: drizzle-kit 0.x's migrator would skip it forever.
    const late = format === "journal" ? "0002_late" : "20231231000000_late";
    addMigration(p, format, late, "CREATE TABLE late (id INT);", WHEN[0]! - 1000);
    const plan = only(await p.plan());
    expect(plan.migrations.find((m) => m.id === late)?.applied).toBe(false);
    expect(only(await p.run()).applied).toEqual([late]);
    expect(await count(p, "late")).toBe(0);

    const strict = await project(dialect, drizzleFiles(format, ["CREATE TABLE a (id INT);"]), { allow_out_of_order: false });
    await strict.run();
    addMigration(strict, format, late, "CREATE TABLE late (id INT);", WHEN[0]! - 1000);
    const refused = only(await strict.run());
    expect(refused.error?.message).toBe(`database main: pending drizzle migration ${late} is older than the newest applied one; drizzle-kit migrate would skip it forever`);
  });

  it("reports an applied migration whose file was edited; line endings alone are not an edit", async () => {
    const p = await project(dialect, drizzleFiles(format, ["CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n"]));
    await p.run();
    const file = format === "journal" ? `${nameOf(format, 0)}.sql` : `${nameOf(format, 0)}/migration.sql`;
    p.migration(file, "CREATE TABLE a (id INT);\r\nCREATE TABLE b (id INT);\r\n");
    expect(only(await p.plan()).status).toBe("planned");
    p.migration(file, "CREATE TABLE a (id BIGINT);\n");
    const report = only(await p.run());
    expect(report.error?.kind).toBe("checksum_mismatch");
    expect(report.error?.message).toContain(`was changed after it was applied: ${p.dir}/migrations/${file}`);
  });

  it("a failure in the middle keeps the earlier migrations; the failing one is rolled back, or recorded as unfinished on MySQL", async () => {
    const p = await project(dialect, drizzleFiles(format, ["CREATE TABLE ok (id INT);", `CREATE TABLE half (id INT);\n${BREAK}INSERT INTO missing VALUES (1);`]));
    const report = only(await p.run());
    expect(report.applied).toHaveLength(1);
    expect(report.error).toMatchObject({ kind: "migration_failed", line: 3 });
    expect(await count(p, tableName(p))).toBe(1);
    if (dialect === "mysql") {
      expect(report.error?.message).toContain("statements 1–1 of 2 had run and stay applied");
      const blocked = only(await p.run());
      expect(blocked.error?.message).toContain("started at");
      expect(blocked.error?.hint).toContain("stagecraft migrate resolve --database main");
      await p.db.query("DROP TABLE half");
      await p.resolve(report.error!.migration!, "rolled-back");
    } else {
      expect(await p.db.query(dialect === "postgres" ? "SELECT to_regclass('half') AS t" : "SELECT name AS t FROM sqlite_master WHERE name = 'half'")).not.toContainEqual({ t: "half" });
    }
    const file = format === "journal" ? `${nameOf(format, 1)}.sql` : `${nameOf(format, 1)}/migration.sql`;
    p.migration(file, "CREATE TABLE half (id INT);");
    expect(only(await p.run()).applied).toHaveLength(1);
    await drizzleMigrate(p, format);
    expect(await count(p, tableName(p))).toBe(2);
  });

  it("two concurrent runners apply each migration exactly once", async () => {
    const bodies = ["CREATE TABLE hits (n INT);", ...Array.from({ length: 3 }, () => "INSERT INTO hits VALUES (1);")];
    const p = await project(dialect, drizzleFiles(format, bodies));
    const reports = await Promise.all([p.run(), p.run(), p.run()]);
    expect(reports.flatMap((r) => only(r).applied)).toHaveLength(4);
    expect(await count(p, "hits")).toBe(3);
    expect(await count(p, tableName(p))).toBe(4);
  });

  it("says clearly that drizzle migrations cannot be reverted", async () => {
    const p = await project(dialect, drizzleFiles(format, BODIES.slice(0, 1)));
    const report = only(await p.run({ direction: "down", steps: 1 }));
    expect(report.error).toMatchObject({ kind: "unsupported", message: "database main: drizzle has no down migrations, so stagecraft cannot revert them" });
  });
});

/** What `drizzle-kit up` does to a 0.x folder: `<UTC second of when>_<tag without NNNN_>/migration.sql`, meta/ removed. */
function drizzleKitUp(p: EngineProject): string[] {
  const journal = JSON.parse(readFileSync(`${p.dir}/migrations/meta/_journal.json`, "utf8")) as { entries: { when: number; tag: string }[] };
  const names = journal.entries.map((e) => {
    const stamp = new Date(e.when).toISOString().replace(/[-:T]/g, "").slice(0, 14);
    const name = `${stamp}_${e.tag.replace(/^\d+_/, "")}`;
    mkdirSync(`${p.dir}/migrations/${name}`);
    writeFileSync(`${p.dir}/migrations/${name}/migration.sql`, readFileSync(`${p.dir}/migrations/${e.tag}.sql`));
    p.remove(`${e.tag}.sql`);
    return name;
  });
  p.remove("meta");
  return names;
}

describe.each(dialects)("drizzle engine on %s: a drizzle 0.x table under the 1.0 folder layout", (dialect) => {
  it("is upgraded in place as drizzle 1.0 does; only new folders are applied, and drizzle-orm 1.0 agrees", async () => {
    const p = await project(dialect, drizzleFiles("journal", BODIES.slice(0, 2)));
    await drizzleMigrate(p, "journal");
    const names = drizzleKitUp(p);
    addMigration(p, "folders", "20240301000000_tags", BODIES[2]!, 0);
    expect(only(await p.plan()).migrations.map((m) => [m.id, m.applied])).toEqual([[names[0], true], [names[1], true], ["20240301000000_tags", false]]);
    expect(only(await p.run()).applied).toEqual(["20240301000000_tags"]);
    const rows = await p.db.query<{ name: string | null }>(`SELECT name FROM ${tableName(p)} ORDER BY created_at`);
    expect(rows.map((r) => r.name)).toEqual([...names, "20240301000000_tags"]);
    await drizzleMigrate(p, "folders");
    expect(await count(p, tableName(p))).toBe(3);
    expect(await count(p, "users")).toBe(1);
  });

  it("refuses, changing nothing, when a 0.x row matches no folder", async () => {
    const p = await project(dialect, drizzleFiles("journal", BODIES.slice(0, 2)));
    await p.run();
    drizzleKitUp(p);
    p.remove(nameOf("folders", 1).replace(STAMPS[1]!, new Date(WHEN[1]!).toISOString().replace(/[-:T]/g, "").slice(0, 14)));
    const report = only(await p.run());
    expect(report.error?.kind).toBe("invalid_config");
    expect(report.error?.message).toMatch(/has 1 drizzle 0\.x row that matches no migration folder \(created_at 1700000100000\); nothing was changed$/);
    await expect(p.db.query(`SELECT name FROM ${tableName(p)}`)).rejects.toThrow();
  });
});

describe("drizzle engine: broken input", () => {
  it("a broken journal is a clear error and nothing is applied", async () => {
    const p = await project("sqlite", { "meta/_journal.json": "{ not json", "0000_a.sql": "CREATE TABLE a (id INT);" });
    const report = only(await p.run());
    expect(report.error?.kind).toBe("invalid_config");
    expect(report.error?.message).toContain(`cannot read drizzle journal ${p.dir}/migrations/meta/_journal.json`);
    const missing = await project("sqlite", { "meta/_journal.json": JSON.stringify({ entries: [{ idx: 0, when: 1, tag: "0000_gone" }] }) });
    expect(only(await missing.run()).error?.message).toContain("drizzle journal entry 0000_gone has no file");
  });
});
