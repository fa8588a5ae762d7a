import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import Database from "better-sqlite3";
import { tempProject } from "../helpers/project.js";
import { checkCliReport } from "../helpers/report-schema.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../../examples/monorepo", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../fixtures/plugins", import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } });
  checkCliReport(args, result.stdout);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function example(): string {
  const project = tempProject();
  cleanups.push(project.cleanup);
  cpSync(EXAMPLE, project.dir, { recursive: true, filter: (src) => !src.includes("/data") });
  return project.dir;
}

describe("stagecraft CLI", () => {
  it("plans and migrates the example project, reading URLs from its .env", async () => {
    const dir = example();
    const plan = cli(["migrate", "--plan"], dir);
    expect(plan.code).toBe(0);
    // The header says what was read; each table, which server (the password would show as ***).
    expect(plan.stdout.split("\n")[0]).toBe("config stagecraft.yml, env file .env");
    expect(plan.stdout).toContain(`billing (raw)  2 pending  sqlite:./data/billing.db?journal_mode=wal
  ID                 DESCRIPTION    STATE
  001_invoices       invoices       pending
  002_invoice_audit  invoice audit  pending`);
    // analytics is post_deploy: plain migrate runs the pre-deploy phase (docs/cli.md, strategies).
    expect(plan.stdout.trimEnd().split("\n").at(-1)).toBe("5 databases, 5 planned");
    const run = cli(["migrate"], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("billing: applied 001_invoices (");
    expect(run.stdout).toContain("✓ users: 2 applied (20240101000000_create_users, 20240201000000_add_display_name)");
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("5 databases, 5 succeeded, 10 migrations were run");
    expect(cli(["migrate", "--strategy", "post_deploy"], dir).stdout.trimEnd().split("\n").at(-1)).toBe("1 database, 1 succeeded, 1 migration was run");
    expect(run.stdout).toContain("✓ catalog: 2 applied (0000_products, 0001_prices)");
    expect(run.stdout).toContain("✓ orders: 2 applied (20240301000000_init, 20240315000000_add_status)");
    expect(run.stdout).toContain("✓ jobs: 2 applied (20240401000000_create_jobs.cjs, 20240402000000_index_run_at.cjs)");
    const users = new Database(`${dir}/data/users.db`);
    expect(users.prepare("SELECT id FROM stagecraft_migrations ORDER BY id").all()).toEqual([
      { id: "20240101000000_create_users" }, { id: "20240201000000_add_display_name" },
    ]);
    users.close();
    expect(cli(["migrate"], dir).stdout).toContain("✓ users: up to date");
  });

  it("--json prints exactly the run report on stdout and nothing else", () => {
    const dir = example();
    const { code, stdout } = cli(["migrate", "--plan", "--json"], dir);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(["version", "stagecraftVersion", "ok", "mode", "direction", "databases", "summary"]);
    expect(report).toMatchObject({ version: 1, stagecraftVersion: JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version });
    expect(report.mode).toBe("plan");
    expect(report.databases.map((d: { name: string }) => d.name)).toEqual(["billing", "catalog", "jobs", "orders", "users"]);
    expect(Object.keys(report.databases[0])).toEqual(["name", "engine", "target", "status", "migrations", "applied"]);
    expect(report.databases[0]).toMatchObject({ target: "sqlite:./data/billing.db?journal_mode=wal", status: "planned" });
    expect(report.databases[0].migrations[0]).toEqual({ id: "001_invoices", description: "invoices", applied: false, state: "pending", checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const run = cli(["migrate", "--json", "-d", "billing"], dir);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, mode: "run", databases: [{ name: "billing", status: "succeeded", applied: ["001_invoices", "002_invoice_audit"], durationMs: expect.any(Number) }] });
  });

  it("selects databases with --database and environments with --env", () => {
    const dir = example();
    expect(JSON.parse(cli(["migrate", "--plan", "--json", "--env", "ci", "--strategy", "pre_deploy", "--strategy", "post_deploy"], dir).stdout).databases.map((d: { name: string }) => d.name)).toEqual(["billing", "catalog", "jobs", "orders", "users"]);
    expect(JSON.parse(cli(["migrate", "--plan", "--json", "-d", "users", "-d", "analytics"], dir).stdout).databases.map((d: { name: string }) => d.name)).toEqual(["analytics", "users"]);
  });

  it("exits 1 on bad flags and contradictory flags, with the reason", () => {
    const dir = example();
    const unknown = cli(["migrate", "--bogus"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: unknown option '--bogus'");
    expect(cli(["migrate", "--plan", "--yes"], dir)).toMatchObject({ code: 1, stderr: "error: --plan cannot be combined with --yes (a plan changes nothing, so there is nothing to confirm)\n" });
    expect(cli(["migrate", "--down"], dir)).toMatchObject({ code: 1, stderr: "error: --down needs --steps N (how many migrations to revert per database) or --to ID (revert the migrations applied after ID)\n" });
    expect(cli(["migrate", "--concurrency", "0"], dir).stderr).toContain("--concurrency must be a whole number ≥ 1");
    expect(cli(["frobnicate"], dir).code).toBe(1);
  });

  it("exits 1 with the rendered config errors (file, line, path, hint) and never prints the URL", () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    project.write("m/.keep", "");
    project.write("stagecraft.yml", "databases:\n  main:\n    connection_env: DB\n    migrations:\n      engine: nope\n      path: ./m\n");
    const { code, stderr, stdout } = cli(["migrate"], project.dir, { DB: "postgres://u:hunter2secret@127.0.0.1:1/x" });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`invalid config (1 problem):
${project.dir}/stagecraft.yml:5:15: databases.main.migrations.engine: unknown migration engine "nope" for database main; available engines: [drizzle, knex, prisma, raw]
  hint: use one of the available engines, or list the module that registers it under \`plugins:\`
`);
    expect(cli(["validate", "--config", "missing.yml"], project.dir)).toMatchObject({ code: 1, stderr: `invalid config (1 problem):\n${project.dir}/missing.yml: config file not found\n  hint: pass --config PATH, or create stagecraft.yml in this folder\n` });
  });

  it("exits 2 when a migration fails, naming database, file and line; never printing the password", () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    project.write("m/001_bad.sql", "CREATE TABLE a (id INT);\nSELECT nope FROM a;\n");
    project.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./m" } } } }));
    const { code, stdout, stderr } = cli(["migrate"], project.dir, { DB: "sqlite:./main.db" });
    expect(code).toBe(2);
    expect(stdout).toContain(`error [migration_failed] database main: ${project.dir}/m/001_bad.sql:2: no such column: nope`);
    expect(stderr).toContain("main: failed");
    const refused = cli(["migrate", "--json"], project.dir, { DB: "postgres://someone:hunter2secret@127.0.0.1:1/nowhere" });
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout).databases[0].error.kind).toBe("connection_failed");
    expect(refused.stdout + refused.stderr).not.toContain("hunter2secret");
    expect(refused.stdout).toContain("postgres://someone:***@127.0.0.1:1/nowhere");
  });

  it("migrate resolve records a migration as applied (or refuses to roll back one that did not fail)", () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    project.write("m/001_a.sql", "CREATE TABLE a (id INT);");
    project.write("m/002_b.sql", "CREATE TABLE b (id INT);");
    project.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./m" } } } }));
    const env = { DB: "sqlite:./main.db" };
    const refused = cli(["migrate", "resolve", "-d", "main", "--rolled-back", "001_a"], project.dir, env);
    // Nothing to roll back is invalid input (exit 1), not a failed database.
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("database main: migration 001_a has no failed attempt to roll back");
    const applied = cli(["migrate", "resolve", "--database", "main", "--applied", "001_a", "--json"], project.dir, env);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout).databases[0]).toMatchObject({ status: "succeeded", applied: ["001_a"] });
    expect(JSON.parse(cli(["migrate", "--json"], project.dir, env).stdout).databases[0].applied).toEqual(["002_b"]);
    expect(cli(["migrate", "resolve", "-d", "main"], project.dir, env)).toMatchObject({ code: 1, stderr: "error: pass --applied <id> or --rolled-back <id>\n" });
  });

  it("exits 3 on an internal error, with a message and no stack trace", () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    project.write("m/.keep", "");
    project.write("stagecraft.yml", stringify({ plugins: [`${FIXTURES}/broken-after-import.mjs`], databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./m" } } } }));
    const { code, stderr } = cli(["validate"], project.dir);
    expect(code).toBe(3);
    expect(stderr).toBe("stagecraft: internal error: plugin timer blew up\n");
  });

  it("validate, engines, --version and --help", () => {
    const dir = example();
    const validate = cli(["validate"], dir);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toBe(`${dir}/stagecraft.yml: valid, 6 databases\n  analytics: raw, post_deploy\n  billing: raw, pre_deploy\n  catalog: drizzle, pre_deploy\n  jobs: knex, pre_deploy\n  orders: prisma, pre_deploy\n  users: raw, pre_deploy\n`);
    expect(cli(["engines"], dir).stdout).toBe("drizzle\nknex\nprisma\nraw\n");
    expect(cli(["--version"], dir).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    for (const command of [[], ["migrate"], ["validate"], ["engines"], ["migrate", "resolve"]]) {
      const help = cli([...command, "--help"], dir);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("Usage: stagecraft");
    }
  });

  it("on a terminal: live progress and colour, and no colour with NO_COLOR; never escape codes when piped", () => {
    const dir = example();
    // `script` gives the CLI a pseudo-terminal, as a person's shell would.
    const onTty = (env: Record<string, string>) => spawnSync("script", ["-qec", `${process.execPath} ${CLI} migrate`, "/dev/null"], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", TERM: "xterm", ...env } });
    const coloured = onTty({});
    expect(coloured.status).toBe(0);
    expect(coloured.stdout).toContain("\u001b[32m5 succeeded\u001b[39m");
    expect(coloured.stdout).toMatch(/\u001b\[1m\w+\u001b\[22m running/);
    rmSync(`${dir}/data`, { recursive: true, force: true });
    const plain = onTty({ NO_COLOR: "1" });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain("5 databases, 5 succeeded, 10 migrations were run");
    expect(plain.stdout).not.toMatch(/\u001b\[3\dm/);
    rmSync(`${dir}/data`, { recursive: true, force: true });
    const piped = cli(["migrate"], dir);
    expect(piped.stdout + piped.stderr).not.toContain("\u001b[");
  });

  it("--env-file loads variables without overriding ones already set", () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    project.write("m/001_a.sql", "CREATE TABLE a (id INT);");
    project.write("vars.env", "DB=sqlite:./from-file.db\n");
    project.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./m" } } } }));
    expect(cli(["migrate", "--env-file", "vars.env"], project.dir).code).toBe(0);
    expect(existsSync(`${project.dir}/from-file.db`)).toBe(true);
    expect(cli(["migrate", "--env-file", "vars.env"], project.dir, { DB: "sqlite:./from-env.db" }).code).toBe(0);
    expect(existsSync(`${project.dir}/from-env.db`)).toBe(true);
  });

  it("SIGINT during a run of many databases: running migrations finish, the rest are cancelled, every database stays consistent", async () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    const files: Record<string, string> = { "000_hits.sql": "CREATE TABLE hits (n INT);" };
    for (let i = 1; i <= 30; i++) files[`${String(i).padStart(3, "0")}_hit.sql`] = "INSERT INTO hits VALUES (1);\nCREATE TABLE IF NOT EXISTS pad (x INT);";
    for (const [name, text] of Object.entries(files)) project.write(`m/${name}`, text);
    const databases: Record<string, unknown> = {};
    const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
    for (let i = 0; i < 60; i++) {
      databases[`db${i}`] = { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./m" } };
      env[`DB${i}`] = `sqlite:./data/db${i}.db?synchronous=full`;
    }
    project.write("stagecraft.yml", stringify({ databases }));
    const child = spawn(process.execPath, [CLI, "migrate", "--concurrency", "2"], { cwd: project.dir, env });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(": succeeded") && !child.killed) child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    expect(stderr).toContain("stopping: running migrations finish, nothing new starts");
    expect(stdout).toMatch(/\d+ cancelled/);
    for (let i = 0; i < 60; i++) {
      const path = `${project.dir}/data/db${i}.db`;
      if (!existsSync(path)) continue;
      const db = new Database(path, { readonly: true });
      const hasTable = (name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== undefined;
      const recorded = hasTable("stagecraft_migrations") ? (db.prepare("SELECT count(*) AS n FROM stagecraft_migrations WHERE finished_at IS NOT NULL").get() as { n: number }).n : 0;
      const hits = hasTable("hits") ? (db.prepare("SELECT count(*) AS n FROM hits").get() as { n: number }).n : 0;
      // Every recorded hit migration inserted exactly one row, and nothing ran unrecorded.
      expect(hits).toBe(Math.max(0, recorded - 1));
      db.close();
    }
  });
});
