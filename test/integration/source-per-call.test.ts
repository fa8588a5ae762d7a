// A fleet's migrations folder is read once per call in each thread (PlanOptions.callId): every
// database of a call applies the folder as the call first found it, and the next call reads it again.
import Database from "better-sqlite3";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { tempProjectPerTest } from "../helpers/project.js";
import { createRunner, loadConfig, runAll, type RunReport } from "../helpers/stagecraft.js";

const project = tempProjectPerTest();
const NAMES = ["a", "b", "c"];

/** Each engine's layout of the same two migrations. */
const LAYOUTS = [
  { engine: "raw", first: ["001_first", "migrations/001_first.sql"], second: ["002_second", "migrations/002_second.sql"] },
  { engine: "prisma", first: ["20240101000000_first", "migrations/20240101000000_first/migration.sql"], second: ["20240102000000_second", "migrations/20240102000000_second/migration.sql"] },
] as const;

describe.each(LAYOUTS)("a $engine migrations folder read once per call", ({ engine, first, second }) => {
  async function fleet() {
    const p = project();
    p.write(first[1], "CREATE TABLE first (id INT);\n");
    p.write(second[1], "CREATE TABLE second (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: Object.fromEntries(NAMES.map((n) => [n, { connection_env: `DB_${n.toUpperCase()}`, migrations: { engine, path: "./migrations" } }])) }));
    const env = Object.fromEntries(NAMES.map((n) => [`DB_${n.toUpperCase()}`, `sqlite:${join(p.dir, `${n}.db`)}`]));
    return { p, env, config: await loadConfig(join(p.dir, "stagecraft.yml")) };
  }

  /** Edits the second migration as soon as the first database is done, before the next one starts (one at a time). */
  function editAfterFirst(write: (path: string, text: string) => string) {
    let edited = false;
    return {
      "database:done": () => {
        if (edited) return;
        edited = true;
        // Another size too: a file's key in the source cache is size, modification time and inode,
        // and two writes within one tick of a coarse file-system clock share a modification time.
        write(second[1], "CREATE TABLE edited_in_the_middle (id INT);\n");
      },
    };
  }

  function expectSameFolderEverywhere(report: RunReport, dir: string): void {
    expect(report.databases.map((d) => [d.name, d.status, d.applied])).toEqual(NAMES.map((n) => [n, "succeeded", [first[0], second[0]]]));
    // The checksums recorded are those of the folder as the call read it, the same for every database.
    const checksums = new Set(report.databases.map((d) => d.migrations.find((m) => m.id === second[0])?.checksum));
    expect(checksums.size).toBe(1);
    for (const n of NAMES) expect({ n, tables: tablesOf(join(dir, `${n}.db`)) }).toEqual({ n, tables: ["first", "second"] });
  }

  function expectEditSeen(report: RunReport): void {
    // The next call reads the folder again: the edit is drift on every database that applied the old text.
    expect(report.databases.map((d) => [d.name, d.status, d.error?.kind, d.error?.migration])).toEqual(NAMES.map((n) => [n, "failed", "checksum_mismatch", second[0]]));
  }

  it("in the calling thread: an edit during the call reaches none of its databases, and the next call sees it", async () => {
    const { p, env, config } = await fleet();
    const done = await runAll(config, { env, inProcess: true, concurrency: 1, on: editAfterFirst(p.write) });
    expectSameFolderEverywhere(done, p.dir);
    expectEditSeen(await runAll(config, { env, inProcess: true }));
  });

  it("in a kept runner's warm thread: the same, and the thread's copy does not outlive the call", async () => {
    const { p, env, config } = await fleet();
    await using runner = createRunner({ maxThreads: 1 });
    const done = await runner.run(config, { env, concurrency: 1, on: editAfterFirst(p.write) });
    expectSameFolderEverywhere(done, p.dir);
    expectEditSeen(await runner.run(config, { env }));
  });
});

function tablesOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'stagecraft%' AND name NOT LIKE '\\_prisma%' ESCAPE '\\' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe("reports of databases that share one reading of a folder", () => {
  it("carry warnings of their own: changing one report's warning changes no other, and none is frozen", async () => {
    const p = project();
    p.write("migrations/001_first.sql", "CREATE TABLE first (id INT);\n");
    p.write("migrations/notes.sql", "-- not a migration\n");
    p.write("stagecraft.yml", stringify({ databases: Object.fromEntries(NAMES.map((n) => [n, { connection_env: `DB_${n.toUpperCase()}`, migrations: { engine: "raw", path: "./migrations" } }])) }));
    const env = Object.fromEntries(NAMES.map((n) => [`DB_${n.toUpperCase()}`, `sqlite:${join(p.dir, `${n}.db`)}`]));
    // In the calling thread every database gets the engine's one reading of the folder.
    const report = await runAll(join(p.dir, "stagecraft.yml"), { env, inProcess: true });
    const warnings = report.databases.map((d) => d.warnings?.[0]);
    expect(warnings.map((w) => w?.code)).toEqual(["ignored_file", "ignored_file", "ignored_file"]);
    expect(warnings.some((w) => Object.isFrozen(w))).toBe(false);
    warnings[0]!.message = "changed";
    expect(warnings[1]!.message).not.toBe("changed");
  });
});
