import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, availableDialects, type Dialect } from "../helpers/servers.js";
import { CONSTRUCTS, type Construct } from "./sql-fidelity-fixtures.js";
import { dump, ENGINES, engineFiles, migrateFleet, nativeRun, type Fleet } from "./sql-fidelity-kit.js";

/**
 * Each construct runs through stagecraft with every engine whose format takes a SQL file (raw,
 * drizzle, prisma), and through the server's own client on a separate database; the schema
 * and data dumps must match. All databases of a dialect migrate in one runAll.
 */
const dialects = await availableDialects();

describe.each(dialects)("SQL fidelity on %s: stagecraft runs each construct as the server's client does", (dialect: Dialect) => {
  const constructs = CONSTRUCTS.filter((c) => c.dialect === dialect);
  let fleet: Fleet;

  beforeAll(async () => {
    const entries = constructs.flatMap((c) => ENGINES.map((engine) => ({ name: `${engine}_${c.name}`, engine, files: engineFiles(engine, dialect, [{ name: c.name, sql: c.sql }]) })));
    fleet = await migrateFleet(dialect, entries);
  }, 300_000);
  afterAll(async () => fleet?.cleanup(), 120_000);

  it("applies every construct with every engine", () => {
    const failed = fleet.report.databases.filter((db) => db.status !== "succeeded").map((db) => `${db.name}: ${db.error?.message}`);
    expect(failed).toEqual([]);
    expect(fleet.report.databases).toHaveLength(constructs.length * ENGINES.length);
  });

  it.each(constructs.map((c) => [c.name, c] as [string, Construct]))("%s: same schema and data as the native client", async (_name, construct) => {
    const native = await createDatabase(dialect, fleet.dir);
    try {
      await nativeRun(native, fleet.write(`native/${construct.name}.sql`, construct.sql), construct.mysqlClient);
      await construct.check?.(native);
      const expected = await dump(native);
      for (const engine of ENGINES) {
        const db = fleet.databases.get(`${engine}_${construct.name}`)!;
        await construct.check?.(db);
        expect(await dump(db), `${engine} on ${dialect}`).toBe(expected);
      }
    } finally {
      await native.drop();
    }
  }, 120_000);
});
