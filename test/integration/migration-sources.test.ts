import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";

const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

async function project(engine: string, files: Record<string, string>, settings: Record<string, unknown> = {}): Promise<EngineProject> {
  const p = await engineProject("sqlite", engine, files, settings);
  projects.push(p);
  return p;
}

/** A Latin-1 file: `café` with é as the single byte 0xE9, which is not UTF-8. */
const LATIN1 = Buffer.concat([Buffer.from("INSERT INTO t VALUES ('caf"), Buffer.from([0xe9]), Buffer.from("');\n")]);

describe("migration files that are not UTF-8", () => {
  it.each([
    ["raw", "001_t.sql", { "001_t.sql": "CREATE TABLE t (name TEXT);\n" }, "002_latin1.sql"],
    ["drizzle", "0000_t.sql", { "0000_t.sql": "CREATE TABLE t (name TEXT);", "0001_latin1.sql": "", "meta/_journal.json": JSON.stringify({ version: "7", dialect: "sqlite", entries: [{ idx: 0, version: "6", when: 1, tag: "0000_t", breakpoints: true }, { idx: 1, version: "6", when: 2, tag: "0001_latin1", breakpoints: true }] }) }, "0001_latin1.sql"],
    ["prisma", "", { "20240101000000_t/migration.sql": "CREATE TABLE t (name TEXT);\n", "20240102000000_latin1/migration.sql": "" }, "20240102000000_latin1/migration.sql"],
  ])("%s refuses the file, naming it and the offset of the first bad byte, before anything runs", async (engine, _first, files, bad) => {
    const p = await project(engine, files);
    writeFileSync(join(p.dir, "migrations", bad), LATIN1);
    for (const report of [only(await p.plan()), only(await p.run())]) {
      expect(report.error).toMatchObject({ kind: "invalid_config", file: join(p.dir, "migrations", bad) });
      expect(report.error?.message).toBe(`database main: ${join(p.dir, "migrations", bad)} is not valid UTF-8: byte 26 (0xe9) starts no valid character`);
    }
    expect(await p.db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 't'")).toEqual([]);
  });
});

describe("empty migrations folders and files an engine skips", () => {
  it.each([
    ["raw", "no migration files (NNN_name.sql) in"],
    ["drizzle", "no migration folders (<YYYYMMDDHHMMSS>_name/migration.sql) in"],
    ["prisma", "no migration folders (<timestamp>_name/migration.sql) in"],
    ["knex", "no knex migration modules in"],
  ])("%s warns that an empty folder has nothing to apply", async (engine, text) => {
    const p = await project(engine, {});
    const plan = only(await p.plan());
    expect(plan.status).toBe("planned");
    expect(plan.warnings?.[0]).toMatchObject({ code: "empty_folder", message: expect.stringContaining(text) });
  });

  it("drizzle names a .sql file its journal does not list; knex names a module it will not load", async () => {
    const d = await project("drizzle", { "0000_a.sql": "CREATE TABLE a (id INT);", "0001_orphan.sql": "CREATE TABLE o (id INT);", "meta/_journal.json": JSON.stringify({ version: "7", dialect: "sqlite", entries: [{ idx: 0, version: "6", when: 1, tag: "0000_a", breakpoints: true }] }) });
    expect(only(await d.plan()).warnings).toEqual([{ code: "ignored_file", file: join(d.dir, "migrations", "0001_orphan.sql"), message: `${join(d.dir, "migrations", "0001_orphan.sql")} is not a migration and is skipped: meta/_journal.json does not list it, so drizzle never runs it (create migrations with drizzle-kit generate)` }]);
    const k = await project("knex", { "001_a.js": "exports.up = async () => {};\nexports.down = async () => {};\n", "002_b.mjs": "export const up = async () => {};\nexport const down = async () => {};\n" });
    const warning = only(await k.plan()).warnings?.[0];
    expect(warning).toMatchObject({ code: "ignored_file", file: join(k.dir, "migrations", "002_b.mjs") });
    expect(warning?.message).toContain(".mjs is not in loadExtensions");
  });
});
