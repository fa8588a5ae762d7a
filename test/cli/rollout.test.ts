import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const NAMES = Array.from({ length: 12 }, (_, i) => `t_${String(i).padStart(2, "0")}`);
const ENV = { LEDGER_URL: "sqlite:./ledger.db" };

interface Report {
  databases: { name: string; status: string }[];
  rollout: { waves: { name: string; total: number; failed: number; status: string }[]; stopped?: { wave: string; reason: string } };
}

/** A project of 12 SQLite tenants: `tags` per tenant index, `broken` tenants already hold the table the migration creates. */
function rolloutProject(rollout: Record<string, unknown>, tags: (i: number) => string[], broken: string[]) {
  const project = tempProject();
  project.write("migrations/001_hits.sql", "CREATE TABLE hits (n INT);\n");
  project.write("stagecraft.yml", stringify({
    ledger: { connection_env: "LEDGER_URL" },
    rollout,
    databases: {
      tenants: { fleet: { list: NAMES.map((name, i) => ({ name, group: tags(i)[0]! })), url: "sqlite:./dbs/{{name}}.db", tags: ["{{group}}"] }, migrations: { engine: "raw", path: "./migrations" } },
    },
  }));
  mkdirSync(`${project.dir}/dbs`);
  for (const name of broken) new Database(`${project.dir}/dbs/${name}.db`).exec("CREATE TABLE hits (x INT)").close();
  return project;
}
const untouched = (dir: string, name: string): boolean => {
  try {
    const db = new Database(`${dir}/dbs/${name}.db`, { fileMustExist: true });
    try {
      return db.prepare("SELECT name FROM sqlite_master WHERE name = 'hits'").all().length === 0;
    } finally {
      db.close();
    }
  } catch {
    return true;
  }
};

describe("migrate --rollout and --wave", () => {
  const canary = rolloutProject(
    { waves: [{ name: "canary", tags: ["canary"] }, { name: "half", percent: 50 }, { name: "rest", percent: 100 }] },
    (i) => (i < 2 ? ["canary"] : ["fleet"]),
    ["t_01"],
  );
  afterAll(() => canary.cleanup());
  const cli = (...args: string[]) => runCli(args, canary.dir, ENV);

  it("a canary failure stops the rollout before wave 2 (exit 2), saying which wave stopped and why", async () => {
    const run = await cli("migrate", "--rollout", "--run-label", "v1", "--json");
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.rollout).toEqual({
      waves: [{ name: "canary", total: 2, failed: 1, status: "stopped" }, { name: "half", total: 5, failed: 0, status: "not_started" }, { name: "rest", total: 5, failed: 0, status: "not_started" }],
      stopped: { wave: "canary", reason: "1 of 2 databases failed (stop_on: any_failure)" },
    });
    expect(report.databases.filter((db) => db.status === "skipped").map((db) => db.name)).toEqual(NAMES.slice(2));
    for (const name of NAMES.slice(2)) expect(untouched(canary.dir, name)).toBe(true);
    const text = await cli("migrate", "--rollout", "--run-label", "v0");
    expect(text.stdout).toContain("\nwave 1/3 canary: 1 of 2 succeeded\nrollout stopped at wave canary: 1 of 2 databases failed (stop_on: any_failure); not started: half, rest\n");
  });

  it("--wave refuses while an earlier wave of the label has failures not rerun successfully; runs once they are", async () => {
    const refused = await cli("migrate", "--wave", "half", "--run-label", "v1");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("error: --wave half refused: earlier wave canary of run label v1 has 1 database not migrated successfully: t_01 (failed)\n  hint: finish it first: stagecraft migrate --wave canary --only-failed v1 --run-label v1\n");
    const noLabel = await cli("migrate", "--wave", "half");
    expect([noLabel.code, noLabel.stderr]).toEqual([1, "error: --wave with a ledger needs --run-label: the release whose earlier waves must have succeeded\n"]);
    const unknown = await cli("migrate", "--wave", "all", "--run-label", "v1");
    expect([unknown.code, unknown.stderr]).toEqual([1, "error: --wave all: the rollout has no such wave; waves: canary, half, rest\n"]);

    new Database(`${canary.dir}/dbs/t_01.db`).exec("DROP TABLE hits").close();
    const fixed = await cli("migrate", "--wave", "canary", "--only-failed", "v1", "--json");
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).databases.map((db: { name: string }) => db.name)).toEqual(["t_01"]);
    const half = await cli("migrate", "--wave", "half", "--run-label", "v1", "--json");
    expect(half.code).toBe(0);
    const halfNames = JSON.parse(half.stdout).databases.map((db: { name: string }) => db.name);
    expect(halfNames).toHaveLength(5);
    // The rest may start only after half: it did, so it runs the 5 left.
    const rest = await cli("migrate", "--wave", "rest", "--run-label", "v1", "--json");
    expect(rest.code).toBe(0);
    const restNames = JSON.parse(rest.stdout).databases.map((db: { name: string }) => db.name);
    expect([...halfNames, ...restNames, "t_00", "t_01"].sort()).toEqual(NAMES);
    const shown = JSON.parse((await cli("runs", "show", "v1", "--json")).stdout);
    expect(shown.counts.succeeded).toBe(12);
  });

  it("honours max_failed_percent: at the threshold the next wave runs, past it the rollout stops", async () => {
    const rollout = { max_failed_percent: 20, waves: [{ name: "first", tags: ["first"] }, { name: "rest", percent: 100 }] };
    const first = (i: number) => (i < 5 ? ["first"] : ["later"]);
    const under = rolloutProject(rollout, first, ["t_00"]);
    const over = rolloutProject(rollout, first, ["t_00", "t_01"]);
    try {
      const ran = await runCli(["migrate", "--rollout", "--json"], under.dir, ENV);
      expect(ran.code).toBe(2);
      expect((JSON.parse(ran.stdout) as Report).rollout).toEqual({ waves: [{ name: "first", total: 5, failed: 1, status: "succeeded" }, { name: "rest", total: 7, failed: 0, status: "succeeded" }] });
      const stopped = await runCli(["migrate", "--rollout", "--json"], over.dir, ENV);
      expect(stopped.code).toBe(2);
      expect((JSON.parse(stopped.stdout) as Report).rollout.stopped).toEqual({ wave: "first", reason: "2 of 5 databases failed (40 %, more than max_failed_percent: 20)" });
      for (const name of NAMES.slice(5)) expect(untouched(over.dir, name)).toBe(true);
    } finally {
      under.cleanup();
      over.cleanup();
    }
  });

  it("a rollout runs only what its waves take; the rest is left out, not unfinished", async () => {
    const half = rolloutProject({ waves: [{ name: "half", percent: 50 }] }, () => ["fleet"], []);
    try {
      const run = await runCli(["migrate", "--rollout", "--run-label", "h", "--json"], half.dir, ENV);
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as Report).databases).toHaveLength(6);
      const shown = JSON.parse((await runCli(["runs", "show", "h", "--json"], half.dir, ENV)).stdout);
      expect([shown.counts.succeeded, shown.counts.missing, shown.counts.unfinished]).toEqual([6, 6, 0]);
    } finally {
      half.cleanup();
    }
  });

  it("checks the rollout: section and the flags", async () => {
    const bad = rolloutProject({ waves: [{ name: "a", tags: ["canary"], percent: 5 }, { name: "a", percent: 100 }], stop_on: "any_failure", max_failed_percent: 3 }, () => ["canary"], []);
    try {
      const run = await runCli(["validate"], bad.dir, ENV);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("rollout.waves.0: a wave takes either tags: [...] or percent: N (one of them)");
    } finally {
      bad.cleanup();
    }
    const both = await cli("migrate", "--rollout", "--wave", "canary");
    expect([both.code, both.stderr]).toEqual([1, "error: --rollout runs every wave; --wave runs one: give one of them\n"]);
    const plan = await cli("migrate", "--rollout", "--plan");
    expect([plan.code, plan.stderr]).toEqual([1, "error: --rollout cannot be combined with --plan (plan one wave with --wave NAME --plan)\n"]);
  });
});
