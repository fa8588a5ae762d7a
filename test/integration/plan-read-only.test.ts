import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ENGINES, fleetProject, type FleetProject } from "../helpers/fleet-project.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects } from "../helpers/servers.js";
import { planAll } from "../helpers/stagecraft.js";

const dialects = await availableDialects();

describe("a plan never changes the database", () => {
  let fleet: FleetProject;
  beforeAll(async () => {
    fleet = await fleetProject(dialects, 1);
  }, 60_000);
  afterAll(async () => fleet?.cleanup());

  it("planning an empty database with every engine, twice, creates no table (not even bookkeeping)", async () => {
    for (let i = 0; i < 2; i++) {
      const report = await planAll(`${fleet.dir}/stagecraft.yml`, { env: fleet.env });
      expect(report.summary.planned).toBe(fleet.databases.length);
      for (const db of report.databases) expect({ db: db.name, pending: db.migrations.every((m) => !m.applied) }).toEqual({ db: db.name, pending: true });
    }
    for (const { name, db } of fleet.databases) {
      const sql = {
        sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'",
        postgres: "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
        mysql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
      }[db.dialect];
      expect({ db: name, tables: await db.query(sql) }).toEqual({ db: name, tables: [] });
    }
  });
});

describe("a plan never creates a SQLite database", () => {
  it("planning a SQLite file that does not exist, in folders that do not exist, with every engine, creates neither", async () => {
    const project = tempProject();
    try {
      const databases: Record<string, unknown> = {};
      const env: Record<string, string> = {};
      for (const engine of ENGINES) {
        project.write(`migrations/${engine}/.keep`, "");
        databases[engine] = { connection_env: `URL_${engine.toUpperCase()}`, migrations: { engine, path: `./migrations/${engine}` } };
        env[`URL_${engine.toUpperCase()}`] = `sqlite:./data/${engine}/nested/app.db`;
      }
      project.write("migrations/raw/001_a.sql", "CREATE TABLE a (id INT);\n");
      project.write("migrations/knex/001_a.js", "exports.up = async () => {};\nexports.down = async () => {};\n");
      project.write("migrations/prisma/20240101000000_a/migration.sql", "CREATE TABLE a (id INT);\n");
      project.write("migrations/drizzle/20240101000000_a/migration.sql", "CREATE TABLE a (id INT);");
      project.write("stagecraft.yml", stringify({ databases }));
      const report = await planAll(join(project.dir, "stagecraft.yml"), { env });
      expect(report.databases.map((db) => [db.name, db.status, db.migrations.map((m) => m.state)])).toEqual(ENGINES.map((e) => [e, "planned", ["pending"]]).sort());
      expect(existsSync(join(project.dir, "data"))).toBe(false);
      expect(readdirSync(project.dir).sort()).toEqual(["migrations", "stagecraft.yml"]);
    } finally {
      project.cleanup();
    }
  });
});
