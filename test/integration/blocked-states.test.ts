import { afterEach, describe, expect, it } from "vitest";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PROVIDER: Record<Dialect, string> = { sqlite: "sqlite", postgres: "postgresql", mysql: "mysql" };
const NO_TX = "-- stagecraft:no-transaction\n";

/**
 * Three migrations per engine: the first applies, the second runs outside a transaction, creates
 * a table and then fails (so it stays recorded as failed on every dialect), the third is pending.
 */
const FIXTURES = {
  raw: (_dialect: Dialect, bad: boolean) => ({
    ids: ["001_first", "002_half", "003_third"],
    files: {
      "001_first.sql": "CREATE TABLE first_t (id INT);\n",
      "002_half.sql": bad ? `${NO_TX}CREATE TABLE half_t (id INT);\nSELECT * FROM missing_table;\n` : "CREATE TABLE half_t (id INT);\n",
      "003_third.sql": "CREATE TABLE third_t (id INT);\n",
    },
  }),
  drizzle: (dialect: Dialect, bad: boolean) => ({
    ids: ["0000_first", "0001_half", "0002_third"],
    files: {
      "0000_first.sql": "CREATE TABLE first_t (id INT);",
      "0001_half.sql": bad ? `${NO_TX}CREATE TABLE half_t (id INT);\n--> statement-breakpoint\nSELECT * FROM missing_table;` : "CREATE TABLE half_t (id INT);",
      "0002_third.sql": "CREATE TABLE third_t (id INT);",
      "meta/_journal.json": JSON.stringify({
        version: "7",
        dialect: dialect === "postgres" ? "postgresql" : dialect,
        entries: ["0000_first", "0001_half", "0002_third"].map((tag, idx) => ({ idx, version: "7", when: 1_700_000_000_000 + idx * 1000, tag, breakpoints: true })),
      }),
    },
  }),
  prisma: (dialect: Dialect, bad: boolean) => ({
    ids: ["20240101000000_first", "20240102000000_half", "20240103000000_third"],
    files: {
      "migration_lock.toml": `provider = "${PROVIDER[dialect]}"\n`,
      "20240101000000_first/migration.sql": "CREATE TABLE first_t (id INT);\n",
      "20240102000000_half/migration.sql": bad ? `${NO_TX}CREATE TABLE half_t (id INT);\nSELECT * FROM missing_table;\n` : "CREATE TABLE half_t (id INT);\n",
      "20240103000000_third/migration.sql": "CREATE TABLE third_t (id INT);\n",
    },
  }),
  knex: (_dialect: Dialect, bad: boolean) => ({
    ids: ["001_first.js", "002_half.js", "003_third.js"],
    files: {
      "001_first.js": 'exports.up = (knex) => knex.schema.createTable("first_t", (t) => t.integer("id"));\nexports.down = (knex) => knex.schema.dropTable("first_t");\n',
      "002_half.js": bad
        ? 'exports.config = { transaction: false };\nexports.up = async (knex) => { await knex.schema.createTable("half_t", (t) => t.integer("id")); await knex.raw("SELECT * FROM missing_table"); };\nexports.down = async () => {};\n'
        : 'exports.up = (knex) => knex.schema.createTable("half_t", (t) => t.integer("id"));\nexports.down = (knex) => knex.schema.dropTable("half_t");\n',
      "003_third.js": 'exports.up = (knex) => knex.schema.createTable("third_t", (t) => t.integer("id"));\nexports.down = (knex) => knex.schema.dropTable("third_t");\n',
    },
  }),
};

describe.each(dialects)("a blocked database on %s lists every migration with its state", (dialect) => {
  it.each(Object.keys(FIXTURES) as (keyof typeof FIXTURES)[])("%s: plan and run report applied, failed (with error and start) and pending", async (engine) => {
    const fixture = FIXTURES[engine](dialect, true);
    const p = await engineProject(dialect, engine, fixture.files);
    projects.push(p);
    const [first, half, third] = fixture.ids as [string, string, string];
    const failedRun = only(await p.run());
    expect(failedRun.status).toBe("failed");
    expect(failedRun.applied).toEqual([first]);

    for (const report of [only(await p.plan()), only(await p.run())]) {
      expect(report.status).toBe("failed");
      expect(report.error).toMatchObject({ kind: "migration_failed", migration: half });
      expect(report.migrations.map((m) => [m.id, m.state, m.applied])).toEqual([[first, "applied", true], [half, "failed", false], [third, "pending", false]]);
      const failed = report.migrations[1]!;
      expect(failed.startedAt).toMatch(ISO_UTC);
      expect(failed.error).toMatch(/missing_table/);
      if (engine !== "drizzle") expect(report.migrations[0]!.appliedAt).toMatch(ISO_UTC);
    }

    // Resolved by hand (the table dropped, the attempt forgotten), the fixed migration runs.
    await p.db.query("DROP TABLE half_t");
    expect(only(await p.resolve(half, "rolled-back")).status).toBe("succeeded");
    for (const [name, text] of Object.entries(FIXTURES[engine](dialect, false).files)) p.migration(name, text);
    const done = only(await p.run());
    expect(done.status).toBe("succeeded");
    expect(done.applied).toEqual([half, third]);
    expect(done.migrations.map((m) => m.state)).toEqual(["applied", "applied", "applied"]);
  });
});
