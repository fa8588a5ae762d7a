import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase } from "../helpers/servers.js";

const dialects = await availableDialects();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A project whose databases are `engine`/`path` pairs, each reading its URL from `<NAME>_URL`. */
function project(databases: Record<string, [engine: string, path: string]>, files: Record<string, string>) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  for (const [path, text] of Object.entries(files)) p.write(path, text);
  const config = Object.fromEntries(Object.entries(databases).map(([name, [engine, path]]) => [name, { connection_env: `${name.toUpperCase()}_URL`, migrations: { engine, path } }]));
  p.write("stagecraft.yml", stringify({ databases: config }));
  return { ...p, cli: (args: string[], env: Record<string, string>) => runCli(args, p.dir, env) };
}

interface Issue { databases: string[]; severity: string; code: string; message: string; file?: string; line?: number; hint?: string }

/** Nothing here connects: a URL only says the dialect. */
const PG = "postgres://app:hunter2secret@127.0.0.1:1/app";

describe("stagecraft validate (offline)", () => {
  it("runs every engine's checks: SQL that does not parse, a broken drizzle journal, a Prisma provider mismatch, .ts knex files without a loader", async () => {
    const p = project({ accounts: ["raw", "./raw"], catalog: ["drizzle", "./drizzle"], orders: ["prisma", "./prisma"], jobs: ["knex", "./jobs"] }, {
      "raw/001_users.sql": "CREATE TABLE users (id int);\n",
      "raw/002_email.sql": "ALTER TABLE users ADD COLUMN email text;\nSELEC 1;\n",
      "drizzle/meta/_journal.json": JSON.stringify({ version: "7", dialect: "postgresql", entries: [{ idx: 0, version: "7", when: 1, tag: "0000_init", breakpoints: true }] }),
      "prisma/migration_lock.toml": 'provider = "mysql"\n',
      "prisma/20240101000000_init/migration.sql": "CREATE TABLE orders (id int);\n",
      "jobs/20240101000000_jobs.ts": "export async function up() {}\nexport async function down() {}\n",
    });
    const env = { ACCOUNTS_URL: PG, CATALOG_URL: PG, ORDERS_URL: PG, JOBS_URL: PG };
    const text = await p.cli(["validate"], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${p.dir}/stagecraft.yml: invalid (4 errors), 4 databases`);
    expect(text.stdout).toContain(`  error [syntax] accounts: ${p.dir}/raw/002_email.sql:2: syntax error at or near "SELEC" (migration 002_email, postgres)\n    hint: fix the SQL; the run would fail at this statement`);
    expect(text.stdout).toContain(`  error [folder] catalog: drizzle journal entry 0000_init has no file ${p.dir}/drizzle/0000_init.sql`);
    expect(text.stdout).toContain(`  error [provider_mismatch] orders: ${p.dir}/prisma/migration_lock.toml: migration_lock.toml says provider = "mysql" but database orders's URL is postgres (Prisma's P3019)`);
    expect(text.stdout).toContain(`  error [no_loader] jobs: 1 TypeScript migration (${p.dir}/jobs/20240101000000_jobs.ts) cannot be loaded: this Node.js ${process.version} process has no TypeScript loader`);
    expect(text.stdout + text.stderr).not.toContain("hunter2secret");
    const json = await p.cli(["validate", "--json"], env);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; issues: Issue[]; summary: unknown };
    expect(report.ok).toBe(false);
    expect(report.summary).toEqual({ errors: 4, warnings: 0 });
    expect(report.issues.find((i) => i.code === "syntax")).toEqual({
      databases: ["accounts"], severity: "error", code: "syntax", file: `${p.dir}/raw/002_email.sql`, line: 2,
      message: `${p.dir}/raw/002_email.sql:2: syntax error at or near "SELEC" (migration 002_email, postgres)`, hint: "fix the SQL; the run would fail at this statement",
    });
    // With the folders fixed, the same config is valid.
    p.write("raw/002_email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
    p.write("drizzle/0000_init.sql", "CREATE TABLE products (id int);\n");
    p.write("prisma/migration_lock.toml", 'provider = "postgresql"\n');
    p.write("jobs/20240101000000_jobs.ts", "");
    p.write("stagecraft.yml", stringify({ databases: { accounts: { connection_env: "ACCOUNTS_URL", migrations: { engine: "raw", path: "./raw" } }, catalog: { connection_env: "CATALOG_URL", migrations: { engine: "drizzle", path: "./drizzle" } }, orders: { connection_env: "ORDERS_URL", migrations: { engine: "prisma", path: "./prisma" } } } }));
    expect(await p.cli(["validate"], env)).toMatchObject({ code: 0, stderr: "" });
  });

  it("SQLite scripts are parsed by SQLite's own parser; MySQL syntax is left to the server", async () => {
    const p = project({ lite: ["raw", "./m"], my: ["raw", "./m"] }, { "m/001_a.sql": "CREATE TABLE a (id int);\nSELEC 1;\n" });
    const result = await p.cli(["validate", "--json"], { LITE_URL: "sqlite:./lite.db", MY_URL: "mysql://app:pw@127.0.0.1:1/app" });
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as { issues: Issue[] }).issues).toEqual([{
      databases: ["lite"], severity: "error", code: "syntax", file: `${p.dir}/m/001_a.sql`, line: 2,
      message: `${p.dir}/m/001_a.sql:2: near "SELEC": syntax error (migration 001_a, sqlite)`, hint: "fix the SQL; the run would fail at this statement",
    }]);
  });

  it("an unset connection variable is an error (exit 1), not a warning", async () => {
    const p = project({ main: ["raw", "./m"] }, { "m/001_a.sql": "CREATE TABLE a (id int);\n" });
    const result = await p.cli(["validate"], {});
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("  main: raw, pre_deploy (MAIN_URL is not set)");
    expect(result.stdout).toContain("  error [connection_env_unset] main: environment variable MAIN_URL is not set (connection_env of databases.main)\n    hint: set MAIN_URL to the database's connection URL");
    expect((await p.cli(["validate"], { MAIN_URL: "sqlite:./main.db" })).code).toBe(0);
  });

  it("--json on an invalid config prints a JSON object with the issues, each with its place", async () => {
    const p = project({ main: ["nope", "./m"] }, { "m/001_a.sql": "" });
    const result = await p.cli(["validate", "--json"], { MAIN_URL: "sqlite:./main.db" });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      file: `${p.dir}/stagecraft.yml`,
      issues: [{ file: `${p.dir}/stagecraft.yml`, line: 5, column: 15, path: "databases.main.migrations.engine", message: 'unknown migration engine "nope" for database main; available engines: [drizzle, knex, prisma, raw]', hint: "use one of the available engines, or list the module that registers it under `plugins:`" }],
    });
  });

  // Issue #18 item 11: never a silent skip, on any engine, in plan or validate.
  it("empty folders and misnamed files are warnings in validate (exit 0) and in the plan, for every engine", async () => {
    const p = project({ r: ["raw", "./r"], re: ["raw", "./re"], d: ["drizzle", "./d"], pr: ["prisma", "./pr"], k: ["knex", "./k"], ke: ["knex", "./ke"] }, {
      "r/001_ok.sql": "CREATE TABLE a (id int);\n", "r/V2__init.sql": "", "r/002_ok.SQL": "", "r/create_users.sql": "",
      "re/.keep": "", "d/.keep": "", "pr/.keep": "", "pr/stray.sql": "",
      "k/20240101000000_a.cjs": "exports.up = async () => {};\nexports.down = async () => {};\n", "k/init.sql": "", "ke/.keep": "",
    });
    const env = { R_URL: "sqlite:./r.db", RE_URL: "sqlite:./re.db", D_URL: "sqlite:./d.db", PR_URL: "sqlite:./pr.db", K_URL: "sqlite:./k.db", KE_URL: "sqlite:./ke.db" };
    const validate = await p.cli(["validate", "--json"], env);
    expect(validate.code).toBe(0);
    const issues = (JSON.parse(validate.stdout) as { issues: Issue[] }).issues.map((i) => [i.databases.join(","), i.severity, i.code, i.file?.replace(`${p.dir}/`, "")]);
    expect(issues).toEqual(expect.arrayContaining([
      ["r", "warning", "ignored_file", "r/002_ok.SQL"], ["r", "warning", "ignored_file", "r/V2__init.sql"], ["r", "warning", "ignored_file", "r/create_users.sql"],
      ["re", "warning", "empty_folder", "re"], ["d", "warning", "empty_folder", "d"], ["pr", "warning", "empty_folder", "pr"], ["pr", "warning", "ignored_file", "pr/stray.sql"],
      ["k", "warning", "ignored_file", "k/init.sql"], ["ke", "warning", "empty_folder", "ke"],
    ]));
    expect(issues).toHaveLength(9);
    const text = await p.cli(["validate"], env);
    expect(text.stdout).toContain("0 errors, 9 warnings:");
    expect(text.stdout).toContain(`  warning [ignored_file] r: ${p.dir}/r/002_ok.SQL is not a migration and is skipped: the extension must be lower-case .sql (rename it to 002_ok.sql)`);
    const plan = await p.cli(["migrate", "--plan"], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`  warning [ignored_file] ${p.dir}/r/V2__init.sql is not a migration and is skipped: Flyway-style names are not read; migration files start with their number (e.g. 2_init.sql)`);
    for (const db of ["re", "d", "pr", "ke"]) expect(plan.stdout).toMatch(new RegExp(`${db} \\(\\w+\\)  up to date  sqlite:./${db}.db\\n  warning \\[empty_folder\\] no .* in ${p.dir}/${db}: nothing to apply`));
    expect(plan.stdout).toContain(`  warning [ignored_file] ${p.dir}/k/init.sql is not a migration and is skipped: knex runs JavaScript/TypeScript modules, not .sql files`);
  });
});

describeDialects("stagecraft validate --connect on %s", dialects.filter((d) => d !== "sqlite"), (dialect) => {
  it("reaches every database and reads its bookkeeping table: absent is fine, a wrong shape is exit 1, an unreachable server exit 2", async () => {
    const p = project({ fresh: ["raw", "./m"], odd: ["raw", "./m"], gone: ["raw", "./m"] }, { "m/001_a.sql": "CREATE TABLE a (id int);\n" });
    const fresh = await createDatabase(dialect, p.dir);
    const odd = await createDatabase(dialect, p.dir);
    cleanups.push(() => fresh.drop(), () => odd.drop());
    await odd.query("CREATE TABLE stagecraft_migrations (id varchar(200))");
    const unreachable = dialect === "postgres" ? "postgres://app:hunter2secret@127.0.0.1:1/x" : "mysql://app:hunter2secret@127.0.0.1:1/x";
    const env = { FRESH_URL: fresh.url, ODD_URL: odd.url, GONE_URL: unreachable };
    const ok = await p.cli(["validate", "--connect", "-d", "fresh"], env);
    expect(ok).toMatchObject({ code: 0, stderr: "" });
    expect(ok.stdout).toContain("connected: 1 of 1 database reached and their migration state read");
    const shape = await p.cli(["validate", "--connect", "-d", "odd", "--json"], env);
    expect(shape.code).toBe(1);
    const [issue] = (JSON.parse(shape.stdout) as { issues: Issue[] }).issues;
    expect(issue).toMatchObject({ databases: ["odd"], severity: "error", code: "bookkeeping" });
    expect(issue!.message).toMatch(/^cannot read the migration state: .*checksum/);
    const down = await p.cli(["validate", "--connect", "--connect-timeout", "3s"], env);
    expect(down.code).toBe(2);
    expect(down.stdout).toContain(`  error [unreachable] gone: cannot connect to ${dialect === "postgres" ? "postgres" : "mysql"}://app:***@127.0.0.1:1/x`);
    expect(down.stdout + down.stderr).not.toContain("hunter2secret");
    // Nothing was created or recorded: validate only reads.
    expect(await fresh.query(dialect === "postgres" ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'" : "SHOW TABLES")).toEqual([]);
  });
});
