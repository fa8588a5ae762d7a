import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BIN, runCli } from "../helpers/cli.js";
import { tempProjectPerTest } from "../helpers/project.js";
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, availableDialects } from "../helpers/servers.js";

const dialects = await availableDialects();
const newProject = tempProjectPerTest();

function project() {
  const p = newProject();
  return p;
}

/** Runs the CLI with its stdout closed at once, as `stagecraft … | true` does. */
function withClosedStdout(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(BIN, args, { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

describe("exit codes: invalid input is 1 wherever it is found", () => {
  it("a database's config error found in its worker (broken drizzle journal, wrong Prisma provider, bad URL) exits 1, rendered", async () => {
    const p = project();
    p.write("drizzle/0000_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("drizzle/meta/_journal.json", "{ not json");
    p.write("prisma/migration_lock.toml", 'provider = "postgresql"\n');
    p.write("prisma/20240101000000_a/migration.sql", "CREATE TABLE a (id INT);\n");
    p.write("raw/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: {
      journal: { connection_env: "J", migrations: { engine: "drizzle", path: "./drizzle" } },
      provider: { connection_env: "P", migrations: { engine: "prisma", path: "./prisma" } },
      url: { connection_env: "U", migrations: { engine: "raw", path: "./raw" } },
      nodb: { connection_env: "N", migrations: { engine: "raw", path: "./raw" } },
    } }));
    const env = { J: "sqlite:./j.db", P: "sqlite:./p.db", U: "ftp://example.com/x", N: "mysql://app:hunter2secret@127.0.0.1:1/" };
    for (const args of [["migrate"], ["migrate", "--plan"], ["status"]]) {
      const result = await runCli(args, p.dir, env);
      expect([args, result.code]).toEqual([args, 1]);
      expect(result.stdout).toContain(`error [invalid_config] database journal: cannot read drizzle journal ${p.dir}/drizzle/meta/_journal.json`);
      expect(result.stdout).toContain('error [invalid_config] database provider: migration_lock.toml says provider = "postgresql" but this database is sqlite');
      expect(result.stdout).toContain('error [invalid_config] database url: the connection URL in $U is unusable: scheme "ftp:" is not supported');
      expect(result.stdout).toContain("error [invalid_config] database nodb: the connection URL in $N names no database: add it after the host, e.g. mysql://user:***@127.0.0.1:1/app");
      expect(result.stdout + result.stderr).not.toContain("hunter2secret");
    }
    // In a log of both streams (2>&1), each error appears once: stderr names the kind only.
    const run = await runCli(["migrate"], p.dir, env);
    expect(run.stderr).toContain("journal: failed [invalid_config] (details in the report below)");
    expect(run.stderr).not.toContain("cannot read drizzle journal");
    expect(JSON.parse((await runCli(["migrate", "--json"], p.dir, env)).stdout).databases.map((db: { status: string; error: { kind: string } }) => [db.status, db.error.kind]))
      .toEqual([["failed", "invalid_config"], ["failed", "invalid_config"], ["failed", "invalid_config"], ["failed", "invalid_config"]]);
  });

  it("a database that really failed wins over invalid input: exit 2", async () => {
    const p = project();
    p.write("raw/001_bad.sql", "NOT SQL;\n");
    p.write("stagecraft.yml", stringify({ databases: {
      bad: { connection_env: "B", migrations: { engine: "raw", path: "./raw" } },
      unset: { connection_env: "UNSET_URL", migrations: { engine: "raw", path: "./raw" } },
    } }));
    const result = await runCli(["migrate"], p.dir, { B: "sqlite:./b.db" });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("error [invalid_config] database unset: environment variable UNSET_URL is not set");
    expect(result.stdout).toContain("error [migration_failed] database bad:");
  });

  it("an invalid option value prints one error line and a pointer to --help, not the help page", async () => {
    const p = project();
    const result = await runCli(["migrate", "--concurrency", "abc"], p.dir);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe("error: option '--concurrency <n>' argument 'abc' is invalid. --concurrency must be a whole number ≥ 1\n(add --help for usage, examples and exit codes)\n");
    expect((await runCli(["status", "--wait", "soon"], p.dir)).stderr).toBe("error: option '--wait [duration]' argument 'soon' is invalid. --wait takes a duration: seconds (30), or with a unit (500ms, 30s, 2m)\n(add --help for usage, examples and exit codes)\n");
    expect((await runCli(["statsu"], p.dir)).stderr).toBe("error: unknown command 'statsu'\n(Did you mean status?)\n(add --help for usage, examples and exit codes)\n");
  });

  it("a missing --env-file is stagecraft's message and exit 1, through the installed command (Node does not read the flag itself)", async () => {
    const p = project();
    p.write("stagecraft.yml", stringify({ databases: {} }));
    // Started as `#!/usr/bin/env node`, Node 20 read `--env-file` after the script too and ended
    // with `node: nope.env: not found`, exit 9 (nodejs/node#54232); the launcher puts `--` first.
    expect(await runCli(["validate", "--env-file", "nope.env"], p.dir)).toMatchObject({ code: 1, stdout: "", stderr: "cannot read env file nope.env: ENOENT\n" });
    expect(await runCli(["migrate", "--plan", "--env-file=nope.env"], p.dir)).toMatchObject({ code: 1, stdout: "", stderr: "cannot read env file nope.env: ENOENT\n" });
  });
});

describe("a closed stdout (`stagecraft … | true`) ends quietly with the command's own exit code", () => {
  it("validate, a plan, a JSON report, status and --help", async () => {
    const p = project();
    p.write("raw/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`db${i}`, { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./raw" } }])) }));
    const env = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`DB${i}`, `sqlite:./db${i}.db`]));
    expect(await withClosedStdout(["validate"], p.dir, env)).toEqual({ code: 0, stderr: "" });
    expect(await withClosedStdout(["migrate", "--plan", "-v"], p.dir, env)).toEqual({ code: 0, stderr: "config stagecraft.yml, no env file\n" });
    expect(await withClosedStdout(["migrate", "--plan", "--json"], p.dir, env)).toEqual({ code: 0, stderr: "" });
    expect(await withClosedStdout(["status"], p.dir, env)).toEqual({ code: 4, stderr: "" });
    expect(await withClosedStdout(["--help"], p.dir)).toEqual({ code: 0, stderr: "" });
  });
});

describe.runIf(dialects.includes("postgres") && dialects.includes("mysql"))("exit codes against real servers", () => {
  it("an unset variable or a URL without a MySQL database is 1; a refused login is 2 and masks only the password", async () => {
    const p = project();
    p.write("raw/001_a.sql", "CREATE TABLE a (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: { pg: { connection_env: "PG", migrations: { engine: "raw", path: "./raw" } }, my: { connection_env: "MY", migrations: { engine: "raw", path: "./raw" } } } }));
    const server = (url: string) => url.replace(/\/[^/]*$/, "/");
    const unset = await runCli(["status"], p.dir, { MY: `${server(MYSQL_ADMIN_URL)}` });
    expect(unset.code).toBe(1);
    expect(unset.stdout).toContain("error [invalid_config] database pg: environment variable PG is not set");
    expect(unset.stdout).toContain("error [invalid_config] database my: the connection URL in $MY names no database");
    // A wrong password on MariaDB: the error shows the target with only the password masked.
    const mysqlUser = new URL(MYSQL_ADMIN_URL);
    mysqlUser.password = "wrong-Pa55word";
    mysqlUser.pathname = "/sc_cg_nothing";
    const denied = await runCli(["status", "-d", "my"], p.dir, { MY: mysqlUser.toString() });
    expect(denied.code).toBe(2);
    expect(denied.stdout).toContain(`cannot connect to mysql://${mysqlUser.username}:***@${mysqlUser.host}/sc_cg_nothing: Access denied`);
    expect(denied.stdout).not.toContain("wrong-Pa55word");
    const pgUrl = new URL(PG_ADMIN_URL);
    pgUrl.password = "trust-ignores-Th1s";
    const pg = await runCli(["status", "-d", "pg", "--json"], p.dir, { PG: pgUrl.toString() });
    expect([pg.code, JSON.parse(pg.stdout).databases[0].target]).toEqual([4, `postgres://${pgUrl.username}:***@${pgUrl.host}${pgUrl.pathname}`]);
  });
});
