import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { tempProject } from "../helpers/project.js";
import { lintAll, planAll } from "../helpers/stagecraft.js";

const PLUGIN = fileURLToPath(new URL("../fixtures/lint/sql-plugin.mjs", import.meta.url));
const projects: ReturnType<typeof tempProject>[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

function project() {
  const p = tempProject();
  projects.push(p);
  p.write("m/001_index.sql", "CREATE INDEX CONCURRENTLY i ON t (a);\n");
  const file = p.write("stagecraft.yml", stringify({
    plugins: [PLUGIN],
    databases: {
      custom: { connection_env: "CUSTOM_URL", migrations: { engine: "sqlfiles", path: "./m" } },
      broken: { connection_env: "BROKEN_URL", migrations: { engine: "broken-sources", path: "./m" } },
      throwing: { connection_env: "THROWING_URL", migrations: { engine: "throwing-sources", path: "./m" } },
    },
  }));
  return { file, env: { CUSTOM_URL: "postgres://nobody@127.0.0.1:1/never", BROKEN_URL: "sqlite:./b.db", THROWING_URL: "sqlite:./t.db" } };
}

describe("lint of plugin engines", () => {
  it("a custom engine with sources is linted like the built-in ones; one whose sources fail is reported, not skipped", async () => {
    const { file, env } = project();
    const report = await lintAll(file, { env, all: true });
    expect(report.findings.map((f) => [f.rule, f.engine, f.databases])).toEqual([["requires-no-transaction", "sqlfiles", ["custom"]]]);
    expect(report.databases.map((db) => [db.name, db.status, db.error?.message])).toEqual([
      ["broken", "failed", "the catalogue of this engine is unreadable today"],
      ["custom", "linted", undefined],
      ["throwing", "failed", "this engine throws before it returns"],
    ]);
  });

  it("in a plan, findings come from the engine's sources, and a lint that cannot read them is a warning on the database", async () => {
    const { file, env } = project();
    const plan = await planAll(file, { env, inProcess: true });
    const [broken, custom, throwing] = plan.databases;
    expect(custom!.lint?.map((f) => f.rule)).toEqual(["requires-no-transaction"]);
    expect(broken).toMatchObject({ status: "planned", warnings: [{ code: "lint_failed", message: "lint could not read the migrations: the catalogue of this engine is unreadable today" }] });
    // sources() that throws instead of rejecting is the same: a warning on that database, not a failed call.
    expect(throwing).toMatchObject({ status: "planned", warnings: [{ code: "lint_failed", message: "lint could not read the migrations: this engine throws before it returns" }] });
  });
});
