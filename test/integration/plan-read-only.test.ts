import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetProject, type FleetProject } from "../helpers/fleet-project.js";
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
      expect(report.summary.succeeded).toBe(fleet.databases.length);
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
