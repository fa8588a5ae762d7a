import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli } from "../helpers/cli.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { tempProject } from "../helpers/project.js";
import { assertReportSchema } from "../helpers/report-schema.js";
import { availableDialects, createDatabase, type Dialect } from "../helpers/servers.js";
import { reportJsonSchema } from "../helpers/stagecraft.js";

const dialects = await availableDialects();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PROVIDER: Record<Dialect, string> = { postgres: "postgresql", mysql: "mysql", sqlite: "sqlite" };
const knexModule = (table: string) => `exports.up = (knex) => knex.schema.createTable("${table}", (t) => { t.integer("id"); });\nexports.down = (knex) => knex.schema.dropTable("${table}");\n`;

/** One database per built-in engine on `dialect`, two migrations each, in the engines' own layouts. */
async function fourEngines(dialect: Dialect) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  const env: Record<string, string> = {};
  for (const engine of ["raw", "knex", "drizzle", "prisma"]) {
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(() => db.drop());
    env[`${engine.toUpperCase()}_URL`] = db.url;
  }
  p.write("raw/001_a.sql", "CREATE TABLE raw_a (id INT);\n");
  p.write("raw/002_b.sql", "CREATE TABLE raw_b (id INT);\n");
  p.write("raw/002_b.down.sql", "DROP TABLE raw_b;\n");
  p.write("knex/20240101000000_a.cjs", knexModule("knex_a"));
  p.write("knex/20240102000000_b.cjs", knexModule("knex_b"));
  p.write("drizzle/0000_a.sql", "CREATE TABLE drizzle_a (id INT);\n");
  p.write("drizzle/0001_b.sql", "CREATE TABLE drizzle_b (id INT);\n");
  p.write("drizzle/meta/_journal.json", JSON.stringify({ version: "7", dialect: "postgresql", entries: [
    { idx: 0, version: "7", when: 1700000000000, tag: "0000_a", breakpoints: true },
    { idx: 1, version: "7", when: 1700000100000, tag: "0001_b", breakpoints: true },
  ] }));
  p.write("prisma/migration_lock.toml", `provider = "${PROVIDER[dialect]}"\n`);
  p.write("prisma/20240101000000_a/migration.sql", "CREATE TABLE prisma_a (id INT PRIMARY KEY);\n");
  p.write("prisma/20240102000000_b/migration.sql", "CREATE TABLE prisma_b (id INT PRIMARY KEY);\n");
  p.write("stagecraft.yml", stringify({
    databases: Object.fromEntries(["raw", "knex", "drizzle", "prisma"].map((engine) => [`${engine}_db`, { connection_env: `${engine.toUpperCase()}_URL`, migrations: { engine, path: `./${engine}` } }])),
  }));
  return { ...p, env, cli: (...args: string[]) => runCli(args, p.dir, env) };
}

describe("report.schema.json", () => {
  it("is what reportJsonSchema() returns, exported as stagecraft/report.schema.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.exports["./report.schema.json"]).toBe("./dist/report.schema.json");
    expect(pkg.files).toContain("dist/*.schema.json");
    expect(JSON.parse(readFileSync(new URL("../../dist/report.schema.json", import.meta.url), "utf8"))).toEqual(reportJsonSchema());
  });

  it("accepts the report shown in docs/api.md and rejects broken reports", () => {
    const doc = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
    const example = JSON.parse(/## Run report\n\n```json\n([\s\S]*?)```/.exec(doc)![1]!);
    assertReportSchema(example);
    const failed = example.databases[0];
    const { error: _error, ...withoutError } = failed;
    // `error` exactly when failed; times in UTC; known statuses and kinds; no stray fields.
    expect(() => assertReportSchema({ ...example, databases: [withoutError] })).toThrow("must have required property 'error'");
    expect(() => assertReportSchema({ ...example, databases: [{ ...failed, status: "succeeded" }] })).toThrow("report does not match");
    expect(() => assertReportSchema({ ...example, databases: [{ ...failed, migrations: [{ ...failed.migrations[0], appliedAt: "2026-12-01 13:20:25.756" }] }] })).toThrow("must match pattern");
    expect(() => assertReportSchema({ ...example, databases: [{ ...failed, status: "done" }] })).toThrow("must be equal to one of the allowed values");
    expect(() => assertReportSchema({ ...example, databases: [{ ...failed, error: { ...failed.error, kind: "oops" } }] })).toThrow("must be equal to one of the allowed values");
    expect(() => assertReportSchema({ ...example, extra: 1 })).toThrow("must NOT have additional properties");
    expect(() => assertReportSchema({ ...example, version: 2 })).toThrow("must be equal to constant");
    assertReportSchema({ ...example, direction: "down", databases: [{ ...failed, direction: "down" }] });
  });
});

describeDialects("reports of every engine on %s match report.schema.json", dialects, (dialect) => {
  it("plan, run, status, down, failed and skipped reports; appliedAt is ISO 8601 UTC on every engine", async () => {
    const p = await fourEngines(dialect);
    // runCli checks each --json report against the schema; these assert what it cannot.
    const plan = JSON.parse((await p.cli("migrate", "--plan", "--json")).stdout);
    expect(plan.databases.map((db: { status: string }) => db.status)).toEqual(["planned", "planned", "planned", "planned"]);
    const run = await p.cli("migrate", "--json");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.databases.map((db: { name: string; status: string; applied: string[] }) => [db.name, db.status, db.applied.length])).toEqual([
      ["drizzle_db", "succeeded", 2], ["knex_db", "succeeded", 2], ["prisma_db", "succeeded", 2], ["raw_db", "succeeded", 2],
    ]);
    const status = await p.cli("status", "--json");
    expect(status.code).toBe(0);
    for (const db of JSON.parse(status.stdout).databases) {
      // drizzle's 0.x journal table records no time at all (hash and the journal's `when` only): no appliedAt rather than a made-up one.
      if (db.name === "drizzle_db") {
        expect(db.migrations.map((m: { appliedAt?: string }) => m.appliedAt)).toEqual([undefined, undefined]);
        continue;
      }
      for (const m of db.migrations) expect([db.name, m.id, m.appliedAt]).toEqual([db.name, m.id, expect.stringMatching(ISO_UTC)]);
      // Applied moments are real and in UTC: recorded during this test (a zone-less time read as local would be hours off).
      for (const m of db.migrations) expect(Math.abs(Date.now() - Date.parse(m.appliedAt))).toBeLessThan(3_600_000);
    }
    const down = await p.cli("migrate", "--down", "--steps", "1", "-d", "raw_db", "--yes", "--json");
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout).databases[0]).toMatchObject({ name: "raw_db", status: "succeeded", applied: ["002_b"] });
    p.write("raw/003_bad.sql", "CREATE TABLE raw_c (id INT);\nTHIS IS NOT SQL;\n");
    const failed = await p.cli("migrate", "--json", "--fail-fast", "--concurrency", "1", "-d", "raw_db", "-d", "prisma_db");
    expect(failed.code).toBe(2);
    const failedReport = JSON.parse(failed.stdout);
    expect(failedReport.databases.map((db: { name: string; status: string }) => [db.name, db.status])).toEqual([["prisma_db", expect.stringMatching(/^(succeeded|skipped)$/)], ["raw_db", "failed"]]);
    expect(failedReport.databases[1].error).toMatchObject({ kind: "migration_failed", file: `${p.dir}/raw/003_bad.sql`, line: 2 });
  });
});

describe("a cancelled run's report", () => {
  it("matches the schema: the databases a signal stopped are cancelled, without an error", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    p.write("m/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("m/002_b.sql", "CREATE TABLE b (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: { one: { connection_env: "ONE", migrations: { engine: "raw", path: "./m", lock_timeout_ms: 60_000 } }, two: { connection_env: "TWO", migrations: { engine: "raw", path: "./m", lock_timeout_ms: 60_000 } } } }));
    // Another writer holds both databases: the first waits on its lock until the signal, the other never starts.
    const holders = ["one", "two"].map((name) => new Database(`${p.dir}/${name}.db`));
    for (const holder of holders) holder.exec("BEGIN IMMEDIATE");
    const release = (): void => {
      for (const holder of holders) if (holder.open) (holder.inTransaction && holder.exec("ROLLBACK"), holder.close());
    };
    cleanups.push(release);
    const { child, done } = startCli(["migrate", "--json", "--concurrency", "1", "-d", "one", "-d", "two"], p.dir, { ONE: `sqlite:${p.dir}/one.db`, TWO: `sqlite:${p.dir}/two.db` });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    child.kill("SIGINT");
    // SQLite's busy wait is not interruptible: the waiting run sees the signal once the lock is free.
    release();
    const result = await done;
    expect(result.code).toBe(130);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(false);
    // The waiting one starts no migration after the signal; the other never starts.
    expect(report.databases.map((db: { name: string; status: string; applied: string[] }) => [db.name, db.status, db.applied])).toEqual([["one", "cancelled", []], ["two", "cancelled", []]]);
    expect(report.databases.every((db: object) => !("error" in db))).toBe(true);
  });
});
