import { describe, expect, it } from "vitest";
import { buildReport, databaseReport, type LooseDatabaseReport } from "../../dist/src/runner/report.js";

// The runner builds each database's report by assignment (bench/dispatch-overhead): these pin
// the shape it must keep, key order included, since JSON output is compared byte for byte.
describe("database reports keep one shape whatever built them", () => {
  const full: LooseDatabaseReport = {
    durationMs: 12, lint: [], warnings: [{ code: "empty_folder", message: "no migrations" }], applied: ["001"],
    migrations: [], status: "succeeded", target: "sqlite:/x/app.db", engine: "raw", name: "app",
  };

  it("lists keys in the report's order and leaves out absent or undefined ones", () => {
    expect(Object.keys(databaseReport(full))).toEqual(["name", "engine", "target", "status", "migrations", "applied", "warnings", "lint", "durationMs"]);
    const sparse = { name: "app", engine: "raw", status: "succeeded", migrations: [], applied: [], target: undefined, warnings: undefined } as unknown as LooseDatabaseReport;
    expect(Object.keys(databaseReport(sparse))).toEqual(["name", "engine", "status", "migrations", "applied"]);
  });

  it("makes a report with an error failed, and gives a failed one without an error an internal one", () => {
    const error = { kind: "connection_failed" as const, message: "database app: refused" };
    const withError = databaseReport({ ...full, error });
    expect(withError.status).toBe("failed");
    expect(Object.keys(withError).at(-1)).toBe("error");
    expect(withError.error).toBe(error);
    const bare = databaseReport({ name: "app", engine: "raw", status: "failed", migrations: [], applied: [] });
    expect(bare).toEqual({ name: "app", engine: "raw", status: "failed", migrations: [], applied: [], error: { kind: "internal", message: "database app failed without an error" } });
  });

  it("reports a plan's read databases as planned, sorted by name, in the same shape", () => {
    const report = buildReport("plan", [{ ...full, name: "b" }, { ...full, name: "a", status: "cancelled" }]);
    expect(report.databases.map((db) => [db.name, db.status])).toEqual([["a", "cancelled"], ["b", "planned"]]);
    expect(Object.keys(report.databases[1]!)).toEqual(Object.keys(databaseReport(full)));
    expect(report.summary).toEqual({ total: 2, planned: 1, succeeded: 0, failed: 0, skipped: 0, cancelled: 1 });
  });
});
