import { afterAll, describe, expect, it } from "vitest";
import { createDatabase, availableDialects, type Dialect } from "../helpers/servers.js";
import { mysqlHistory, postgresHistory, type HistoryFile } from "./sql-fidelity-histories.js";
import { dump, ENGINES, engineFiles, migrateFleet, nativeRun, type Fleet } from "./sql-fidelity-kit.js";

/**
 * A long history runs through every SQL-file engine and, on another database, file by file
 * through the server's own client; the dumps must be equal.
 */
const dialects = await availableDialects();
const HISTORIES: Partial<Record<Dialect, () => HistoryFile[]>> = { postgres: () => postgresHistory(), mysql: () => mysqlHistory() };
const fleets: Fleet[] = [];
afterAll(async () => Promise.all(fleets.map((f) => f.cleanup())), 120_000);

describe.each(dialects.filter((d) => HISTORIES[d] !== undefined))("a long history on %s", (dialect) => {
  it("ends in the schema and data the native client builds from the same files", async () => {
    const history = HISTORIES[dialect]!();
    expect(history.length).toBeGreaterThanOrEqual(dialect === "postgres" ? 150 : 40);
    const fleet = await migrateFleet(dialect, ENGINES.map((engine) => ({ name: `${engine}_history`, engine, files: engineFiles(engine, dialect, history) })));
    fleets.push(fleet);
    expect(fleet.report.databases.map((db) => [db.name, db.status, db.applied.length, db.error?.message])).toEqual([...ENGINES].sort().map((engine) => [`${engine}_history`, "succeeded", history.length, undefined]));

    const native = await createDatabase(dialect, fleet.dir);
    try {
      const paths = history.map((file, i) => fleet.write(`native/${String(i).padStart(4, "0")}_${file.name}.sql`, file.sql));
      if (dialect === "postgres") await nativeRun(native, paths);
      else for (const path of paths) await nativeRun(native, [path], "whole");
      const expected = await dump(native);
      expect(expected).toMatch(dialect === "postgres" ? /CREATE INDEX \w+_label_idx/ : /CREATE DEFINER=\S+ FUNCTION `label_2`/);
      for (const engine of ENGINES) expect(await dump(fleet.databases.get(`${engine}_history`)!), engine).toBe(expected);
    } finally {
      await native.drop();
    }
  }, 600_000);
});
