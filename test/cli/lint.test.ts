import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const projects: ReturnType<typeof tempProject>[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

/** A SQLite project: `main` on raw with `files`, plus what `extra` adds to the config. */
function project(files: Record<string, string>, extra: Record<string, unknown> = {}, databases: Record<string, unknown> = {}) {
  const p = tempProject();
  projects.push(p);
  p.write("migrations/.keep", "");
  for (const [name, text] of Object.entries(files)) p.write(`migrations/${name}`, text);
  p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "MAIN_URL", migrations: { engine: "raw", path: "./migrations" } }, ...databases }, ...extra }));
  const cli = (args: string[], env: Record<string, string> = { MAIN_URL: "sqlite:./main.db" }) => runCli(args, p.dir, env);
  return { ...p, cli };
}

const CLEAN = { "001_users.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text, name text);\nCREATE INDEX users_name ON users (name);\n" };
const WARNING = { ...CLEAN, "002_drop.sql": "ALTER TABLE users DROP COLUMN email;\n" };
const ERROR = { ...CLEAN, "002_vacuum.sql": "-- tidy up\nVACUUM;\n" };

describe("stagecraft lint", () => {
  it("exits 0 on a clean folder and says what it linted", async () => {
    const p = project(CLEAN);
    const result = await p.cli(["lint"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe("0 errors, 0 warnings in 1 database (pending migrations)\n");
  });

  it("exits 1 on an error, printing rule, place, statement, reason and fix", async () => {
    const p = project(ERROR);
    const result = await p.cli(["lint"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe([
      "error requires-no-transaction  migrations/002_vacuum.sql:2:1  (raw on sqlite: main)",
      "  VACUUM",
      "  VACUUM cannot run inside a transaction block, and this migration runs in one (with its bookkeeping row)",
      "  fix: start the file with `-- stagecraft:no-transaction` and keep VACUUM in a migration of its own (outside a transaction, a failure leaves the statements before it applied)",
      "",
      "1 error, 0 warnings in 1 database (pending migrations)",
      "",
    ].join("\n"));
  });

  it("warnings exit 0, and 5 past --max-warnings", async () => {
    const p = project(WARNING);
    expect((await p.cli(["lint"])).code).toBe(0);
    expect((await p.cli(["lint", "--max-warnings", "1"])).code).toBe(0);
    const strict = await p.cli(["lint", "--max-warnings", "0"]);
    expect(strict.code).toBe(5);
    expect(strict.stdout).toContain("warning drop-column  migrations/002_drop.sql:1:1");
    expect((await p.cli(["lint", "--max-warnings", "-1"])).code).toBe(1);
  });

  it("--json prints exactly the lint report", async () => {
    const p = project(ERROR);
    const result = await p.cli(["lint", "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toEqual({
      ok: false,
      mode: "pending",
      findings: [{
        rule: "requires-no-transaction", severity: "error", migration: "002_vacuum", file: `${p.dir}/migrations/002_vacuum.sql`, line: 2, column: 1, statement: "VACUUM",
        message: "VACUUM cannot run inside a transaction block, and this migration runs in one (with its bookkeeping row)",
        fix: "start the file with `-- stagecraft:no-transaction` and keep VACUUM in a migration of its own (outside a transaction, a failure leaves the statements before it applied)",
        engine: "raw", dialect: "sqlite", databases: ["main"],
      }],
      databases: [{ name: "main", engine: "raw", dialect: "sqlite", status: "linted", migrations: 2, errors: 1, warnings: 0 }],
      summary: { databases: 1, linted: 1, notLinted: 0, failed: 0, errors: 1, warnings: 0 },
    });
  });

  it("lints only pending migrations: once the bad one is applied by hand, the folder is clean", async () => {
    const p = project(ERROR);
    const forced = await p.cli(["migrate", "--no-lint"]);
    expect([forced.code, forced.stdout]).toEqual([2, expect.stringContaining("cannot VACUUM from within a transaction")]);
    expect((await p.cli(["migrate", "resolve", "-d", "main", "--applied", "002_vacuum"])).code).toBe(0);
    expect((await p.cli(["lint"])).code).toBe(0);
    expect((await p.cli(["lint", "--all"])).code).toBe(1);
  });

  it("--all connects to nothing; without a URL a raw folder needs --dialect, and exits 2 until it gets one", async () => {
    const p = project(ERROR);
    const noUrl = await p.cli(["lint", "--all"], {});
    expect(noUrl.code).toBe(2);
    expect(noUrl.stdout).toContain("✗ main: not linted: cannot tell which SQL dialect the raw migrations in");
    expect(noUrl.stdout).toContain("0 errors, 0 warnings in 0 of 1 databases (every migration; 1 failed)");
    const told = await p.cli(["lint", "--all", "--dialect", "sqlite", "--json"], {});
    expect(told.code).toBe(1);
    expect(JSON.parse(told.stdout)).toMatchObject({ mode: "all", summary: { errors: 1, linted: 1 } });
    expect(existsSync(`${p.dir}/main.db`)).toBe(false);
    const wrong = await p.cli(["lint", "--all", "--dialect", "oracle"], {});
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringContaining("--dialect must be one of postgres, mysql, sqlite")]);
    const conflict = await p.cli(["lint", "--dialect", "sqlite"]);
    expect([conflict.code, conflict.stderr]).toEqual([1, "error: --dialect needs --all (without it, each database's URL says its dialect)\n"]);
  });

  it("a database whose state cannot be read exits 2; an unknown selection exits 1", async () => {
    const p = project(CLEAN);
    const unread = await p.cli(["lint"], {});
    expect(unread.code).toBe(2);
    expect(unread.stdout).toContain("✗ main: not linted: database main: environment variable MAIN_URL is not set");
    expect((await p.cli(["lint", "-d", "nope"])).code).toBe(1);
  });

  it("knex databases are listed as not linted", async () => {
    const p = project(CLEAN, {}, { jobs: { connection_env: "JOBS_URL", migrations: { engine: "knex", path: "./migrations" } } });
    const result = await p.cli(["lint", "--all", "--json"], { MAIN_URL: "sqlite:./main.db", JOBS_URL: "sqlite:./jobs.db" });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).databases).toEqual([
      { name: "jobs", engine: "knex", status: "not-linted", migrations: 0, errors: 0, warnings: 0, reason: "engine knex has no SQL sources to read (its migrations are code, or it does not implement sources())" },
      { name: "main", engine: "raw", dialect: "sqlite", status: "linted", migrations: 1, errors: 0, warnings: 0 },
    ]);
  });

  it("the lint: config section turns rules off or into errors", async () => {
    const off = project(WARNING, { lint: { rules: { "drop-column": "off" } } });
    expect((await off.cli(["lint", "--max-warnings", "0"])).code).toBe(0);
    const error = project(WARNING, { lint: { rules: { "drop-column": "error" } } });
    expect((await error.cli(["lint"])).code).toBe(1);
  });

  it("a fleet's members share one lint of their folder: each finding lists them", async () => {
    const p = project(ERROR, {}, { shards: { fleet: { glob: "./shards/*.db" }, migrations: { engine: "raw", path: "./migrations" } } });
    for (let i = 1; i <= 7; i++) p.write(`shards/s${i}.db`, "");
    const json = JSON.parse((await p.cli(["lint", "--json"])).stdout);
    expect(json.findings.map((f: { databases: string[] }) => f.databases)).toEqual([["main", "s1", "s2", "s3", "s4", "s5", "s6", "s7"]]);
    expect(json.summary).toMatchObject({ databases: 8, linted: 8, errors: 1 });
    const text = await p.cli(["lint"]);
    expect(text.stdout).toContain("(raw on sqlite: main, s1, s2, s3, s4 and 3 more)");
  });
});

describe("lint in stagecraft migrate", () => {
  it("--plan shows the findings of pending migrations, in text and JSON", async () => {
    const p = project(WARNING);
    const text = await p.cli(["migrate", "--plan"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain([
      "  002_drop   drop         pending",
      "  lint: 1 warning",
      "    warning drop-column  migrations/002_drop.sql:1:1",
      "      ALTER TABLE users DROP COLUMN email",
      "      dropping column users.email deletes its data; the release still running may read or write it",
    ].join("\n"));
    const json = JSON.parse((await p.cli(["migrate", "--plan", "--json"])).stdout);
    expect(json.databases[0].lint).toEqual([expect.objectContaining({ rule: "drop-column", severity: "warning", migration: "002_drop", line: 1, column: 1 })]);
    expect(JSON.parse((await p.cli(["migrate", "--plan", "--json", "--no-lint"])).stdout).databases[0].lint).toBeUndefined();
  });

  it("a plan without findings has no lint key", async () => {
    const p = project(CLEAN);
    const json = JSON.parse((await p.cli(["migrate", "--plan", "--json"])).stdout);
    expect(Object.keys(json.databases[0])).not.toContain("lint");
  });

  it("migrate refuses a database whose pending migrations have lint errors, running nothing; --no-lint overrides", async () => {
    const p = project(WARNING, { lint: { rules: { "drop-column": "error" } } });
    const refused = await p.cli(["migrate"]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain("error [migration_failed] database main: refused to start: pending migration 002_drop has lint errors, which would fail the run:");
    expect(refused.stdout).toContain("[drop-column] dropping column users.email deletes its data; the release still running may read or write it; nothing was run");
    expect(refused.stdout).toContain("hint: fix the migration (`stagecraft lint` lists every finding with its fix), or pass --no-lint (API: lint: false) to run it anyway");
    const db = new Database(`${p.dir}/main.db`);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'users'").all()).toEqual([]);
    db.close();
    const forced = await p.cli(["migrate", "--no-lint"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("✓ main: 2 applied (001_users, 002_drop)");
  });

  it("--down runs are not linted", async () => {
    const p = project({ ...CLEAN, "001_users.down.sql": "DROP TABLE users;\n" }, { lint: { rules: { "drop-table": "error" } } });
    expect((await p.cli(["migrate"])).code).toBe(0);
    expect((await p.cli(["migrate", "--down", "--steps", "1", "--all", "--yes"])).code).toBe(0);
  });
});
