import { describe, expect, it } from "vitest";
import { renderPlan } from "../../dist/src/cli/render.js";
import type { DatabaseReport, LintFinding, RunReport } from "../helpers/stagecraft.js";

const plain = { red: (s: string) => s, green: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };

const finding = (severity: LintFinding["severity"]): LintFinding => ({
  rule: severity === "error" ? "requires-no-transaction" : "drop-column", severity, migration: "002_b", file: "/p/m/002_b.sql", line: 1, column: 1, statement: "VACUUM", message: "reason", fix: "fix",
});

function report(count: number, lint: (i: number) => LintFinding[] | undefined): RunReport {
  const databases: DatabaseReport[] = Array.from({ length: count }, (_, i) => {
    const findings = lint(i);
    return {
      name: `db_${String(i).padStart(3, "0")}`, engine: "raw", status: "planned", applied: [],
      migrations: [{ id: "002_b", description: "b", applied: false, state: "pending" }],
      ...(findings ? { lint: findings } : {}),
    };
  });
  return { version: 1, stagecraftVersion: "0.0.0", ok: true, mode: "plan", databases, summary: { total: count, planned: count, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 } };
}

describe("lint findings in the text plan", () => {
  it("under each database shown in full", () => {
    const text = renderPlan(report(2, (i) => (i === 0 ? [finding("error"), finding("warning")] : undefined)), plain);
    expect(text).toContain([
      "  lint: 1 error, 1 warning (migrate refuses to start this database; --no-lint overrides)",
      "    error requires-no-transaction  /p/m/002_b.sql:1:1",
      "      VACUUM",
      "      reason",
      "      fix: fix",
      "    warning drop-column  /p/m/002_b.sql:1:1",
    ].join("\n"));
  });

  it("as a count when a fleet's plan is summarised", () => {
    const text = renderPlan(report(60, (i) => (i % 2 === 0 ? [i % 4 === 0 ? finding("error") : finding("warning")] : undefined)), plain);
    expect(text).toContain("lint: 30 databases have findings in pending migrations, 15 with errors (migrate refuses to start them; --no-lint overrides); `stagecraft lint` lists them");
    expect(renderPlan(report(60, () => undefined), plain)).not.toContain("lint:");
  });
});
