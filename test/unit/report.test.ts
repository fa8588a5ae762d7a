import { describe, expect, it } from "vitest";
// From the build, as users get it: the report module reads the package version relative to itself.
import { buildReport, databaseReport, type LooseDatabaseReport } from "../../dist/src/runner/report.js";

const migration = { id: "001_a", description: "a", applied: false, state: "pending" } as const;

describe("database reports", () => {
  it("keep one key order whatever order their fields were set in, so JSON output stays stable", () => {
    const loose: LooseDatabaseReport = { error: { kind: "lock_timeout", message: "m" }, durationMs: 5, lint: [], warnings: [], applied: [], migrations: [migration], status: "succeeded", target: "sqlite:./a.db", engine: "raw", name: "a" };
    expect(Object.keys(databaseReport(loose))).toEqual(["name", "engine", "target", "status", "migrations", "applied", "warnings", "lint", "durationMs", "error"]);
    expect(Object.keys(databaseReport({ name: "b", engine: "raw", status: "planned", migrations: [], applied: [] }))).toEqual(["name", "engine", "status", "migrations", "applied"]);
  });

  it("are failed exactly when they carry an error", () => {
    expect(databaseReport({ name: "a", engine: "raw", status: "succeeded", migrations: [], applied: [], error: { kind: "internal", message: "x" } }).status).toBe("failed");
    expect(databaseReport({ name: "a", engine: "raw", status: "failed", migrations: [], applied: [] }).error).toEqual({ kind: "internal", message: "database a failed without an error" });
    expect(databaseReport({ name: "a", engine: "raw", status: "cancelled", migrations: [], applied: [] })).not.toHaveProperty("error");
  });

  it("a plan reports the databases it read as planned, sorted by name, without changing the reports it was given", () => {
    const given: LooseDatabaseReport[] = [{ name: "b", engine: "raw", status: "succeeded", migrations: [migration], applied: [] }, { name: "a", engine: "raw", status: "failed", migrations: [], applied: [], error: { kind: "internal", message: "x" } }];
    const report = buildReport("plan", given);
    expect(report.databases.map((d) => [d.name, d.status])).toEqual([["a", "failed"], ["b", "planned"]]);
    expect(report.databases[1]?.migrations[0]).toBe(migration);
    expect(given[0]?.status).toBe("succeeded");
    expect(report.summary).toEqual({ total: 2, planned: 1, succeeded: 0, failed: 1, skipped: 0, cancelled: 0 });
  });
});
