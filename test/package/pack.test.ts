import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installedApp, must, pack, ROOT, run, TSC, type InstalledApp, type PackedFile } from "./installed-app.js";

// Pack, `npm install` the tarball into a fresh app, and use it there as a user would.
const SETUP_TIMEOUT_MS = 900_000;
let WORK: string;
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown> & { version: string };
let files: PackedFile[];
let app: InstalledApp;

beforeAll(async () => {
  WORK = mkdtempSync(join(tmpdir(), "stagecraft-pack-"));
  const packed = await pack(WORK);
  files = packed.files;
  app = await installedApp(packed.tarball);
  app.write("migrations/001_init.sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n");
  app.write("stagecraft.yml", "databases:\n  main:\n    connection_env: MAIN_URL\n    migrations: { engine: raw, path: ./migrations }\n");
  app.write("api.yml", "databases:\n  api:\n    connection_env: API_URL\n    migrations: { engine: raw, path: ./migrations }\n");
  app.write(".env", "MAIN_URL=sqlite:./data/main.db\nAPI_URL=sqlite:./data/api.db\n");
}, SETUP_TIMEOUT_MS);
afterAll(() => {
  app?.cleanup();
  if (WORK) rmSync(WORK, { recursive: true, force: true });
});

/** `npx stagecraft …`; `--no` makes a missing local bin an error instead of a download of whatever the registry holds. */
const npx = (args: string[], env: Record<string, string> = {}) => run("npx", ["--no", "--", "stagecraft", ...args], app.dir, env);
const json = (text: string) => JSON.parse(text) as { ok: boolean; databases: { name: string; status: string; applied: string[]; error?: { kind: string; message: string; hint?: string } }[] };
const tsc = (project: string) => run(TSC, ["-p", project], app.dir);
/** A user's tsconfig: strict, Node's module rules; @types/node comes from this repo (the app does not install it). */
const tsconfig = (extra: Record<string, unknown>) => JSON.stringify({ compilerOptions: { module: "nodenext", target: "es2022", strict: true, skipLibCheck: false, types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")], ...extra }, files: ["main.ts"] });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe("the package as a user installs it", { timeout: 300_000 }, () => {
  it("ships the bin launcher, the build of src/, the bundled command (dist/cli) and worker thread (dist/worker), the JSON Schemas, docs, README and LICENSE; no bench, scripts, tests or source maps", async () => {
    const paths = files.map((f) => f.path).sort();
    expect(paths.filter((p) => !/^(bin\/stagecraft\.js|dist\/src\/.+\.(js|d\.ts)|dist\/(cli|worker)\/[\w-]+\.js|dist\/[\w-]+\.schema\.json|docs\/[\w-]+\.md|README\.md|LICENSE|package\.json)$/.test(p))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "bin/stagecraft.js", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js", "dist/cli/main.js", "dist/worker/worker.js", "dist/stagecraft.schema.json"]));
    const installed = filesUnder(join(app.dir, "node_modules", "stagecraft", "dist"));
    expect(installed.filter((f) => f.endsWith(".js") && readFileSync(f, "utf8").includes("sourceMappingURL"))).toEqual([]);
    // Every page the README links to is in the package.
    const links = [...readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/\]\((docs\/[\w-]+\.md)(#[\w-]+)?\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !paths.includes(link))).toEqual([]);
    expect(readFileSync(join(app.dir, "node_modules", "stagecraft", "LICENSE"), "utf8")).toMatch(/^MIT License\n/);
    expect(PKG).toMatchObject({ license: "MIT", repository: { url: expect.any(String) }, homepage: expect.any(String), bugs: { url: expect.any(String) } });
  });

  it("installs better-sqlite3 but none of the optional peers (pg, mysql2, knex)", async () => {
    const installed = readdirSync(join(app.dir, "node_modules"));
    expect(installed).toContain("better-sqlite3");
    expect(installed.filter((name) => ["pg", "mysql2", "knex"].includes(name))).toEqual([]);
  });

  it("npx stagecraft --version, validate and migrate work in the app (URLs from .env)", async () => {
    expect(await npx(["--version"])).toMatchObject({ code: 0, stdout: `${PKG.version}\n` });
    expect(await npx(["validate"])).toMatchObject({ code: 0, stdout: expect.stringContaining("valid, 1 database") });
    const migrate = await npx(["migrate", "--json"]);
    expect(migrate.code).toBe(0);
    expect(json(migrate.stdout).databases).toMatchObject([{ name: "main", status: "succeeded", applied: ["001_init"] }]);
    const tables = await must("node", ["-e", "const D = require('better-sqlite3'); console.log(new D('data/main.db').prepare(\"SELECT name FROM sqlite_master WHERE name = 'accounts'\").pluck().get())"], app.dir);
    expect(tables).toBe("accounts\n");
  });

  it("npx stagecraft … --env-file: Node leaves the flag to stagecraft (a missing file is exit 1 with stagecraft's message, not Node's exit 9)", async () => {
    const missing = await npx(["validate", "--env-file", "nope.env"]);
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toContain("cannot read env file nope.env: ENOENT");
    expect(missing.stderr).not.toMatch(/^node:/m);
    app.write("other.env", "MAIN_URL=sqlite:./data/other.db\n");
    const other = await npx(["migrate", "--env-file", "other.env", "--json"]);
    expect(other.code).toBe(0);
    expect(json(other.stdout).databases).toMatchObject([{ name: "main", status: "succeeded", applied: ["001_init"] }]);
  });

  it("a database whose client package is not installed is dependency_missing, naming the package to install", async () => {
    app.write("optional.yml", "databases:\n  orders: { connection_env: ORDERS_URL, migrations: { engine: raw, path: ./migrations } }\n  events: { connection_env: EVENTS_URL, migrations: { engine: raw, path: ./migrations } }\n  jobs: { connection_env: JOBS_URL, migrations: { engine: knex, path: ./migrations } }\n");
    const result = await npx(["migrate", "--config", "optional.yml", "--json"], {
      ORDERS_URL: "postgres://app:s3cret-pw@127.0.0.1:1/orders", EVENTS_URL: "mysql://app:s3cret-pw@127.0.0.1:1/events", JOBS_URL: "sqlite:./data/jobs.db",
    });
    expect(result.code).toBe(2);
    expect(json(result.stdout).databases.map((db) => [db.name, db.error?.kind, db.error?.message, db.error?.hint?.split(" (")[0]])).toEqual([
      ["events", "dependency_missing", "database events: the package mysql2 is not installed; it is needed for MySQL/MariaDB databases", "npm install mysql2"],
      ["jobs", "dependency_missing", "database jobs: the package knex is not installed; it is needed for the knex engine", "npm install knex"],
      ["orders", "dependency_missing", "database orders: the package pg is not installed; it is needed for PostgreSQL databases", "npm install pg"],
    ]);
    expect(result.stdout + result.stderr).not.toContain("s3cret-pw");
  });

  it("an ES module TypeScript file (module: nodenext) compiles against the package and runs the API, reading .env through envFile", async () => {
    app.write("tsconfig.json", tsconfig({ exactOptionalPropertyTypes: true, verbatimModuleSyntax: true }));
    app.write("main.ts", [
      'import { runAll, type RunReport } from "stagecraft";',
      "const applied: string[] = [];",
      'const report: RunReport = await runAll("api.yml", { envFile: ".env", on: { "migration:applied": (e) => void applied.push(`${e.database}/${e.migration}`) } });',
      "console.log(JSON.stringify({ ok: report.ok, applied }));",
    ].join("\n"));
    expect(await tsc(".")).toMatchObject({ code: 0, stdout: "" });
    expect(await must("node", ["main.js"], app.dir)).toBe('{"ok":true,"applied":["api/001_init"]}\n');
  });

  it("a CommonJS TypeScript project compiles with 0 errors and runs: require() loads the package", async () => {
    app.write("cjs/package.json", JSON.stringify({ type: "commonjs" }));
    app.write("cjs/tsconfig.json", tsconfig({}));
    app.write("cjs/main.ts", 'import { planAll } from "stagecraft";\nplanAll("../api.yml", { envFile: "../.env" }).then((r) => console.log(JSON.stringify(r.databases.map((d) => [d.name, d.migrations.map((m) => m.applied)]))));\n');
    expect(await tsc("cjs")).toMatchObject({ code: 0, stdout: "" });
    expect(readFileSync(join(app.dir, "cjs", "main.js"), "utf8")).toContain('require("stagecraft")');
    expect(await must("node", ["main.js"], join(app.dir, "cjs"))).toBe('[["api",[true]]]\n');
  });

  it("after `npm install knex` the knex engine runs on SQLite, and on PostgreSQL names knex's missing client, pg", async () => {
    await app.npmInstall("knex");
    app.write("knex/001_jobs.cjs", "exports.up = (knex) => knex.schema.createTable('jobs', (t) => t.increments('id'));\nexports.down = (knex) => knex.schema.dropTable('jobs');\n");
    app.write("knex.yml", "databases:\n  jobs: { connection_env: JOBS_URL, migrations: { engine: knex, path: ./knex } }\n  orders: { connection_env: ORDERS_URL, migrations: { engine: knex, path: ./knex } }\n");
    const result = await npx(["migrate", "--config", "knex.yml", "--json"], { JOBS_URL: "sqlite:./data/jobs.db", ORDERS_URL: "postgres://app@127.0.0.1:1/orders" });
    expect(json(result.stdout).databases.map((db) => [db.name, db.status, db.applied, db.error?.message, db.error?.hint?.split(" (")[0]])).toEqual([
      ["jobs", "succeeded", ["001_jobs.cjs"], undefined, undefined],
      ["orders", "failed", [], "database orders: the package pg is not installed; it is needed for knex's pg client", "npm install pg"],
    ]);
  });

  // Last: it takes better-sqlite3 away, as an install where the optional dependency could not be built.
  it("without better-sqlite3 (an optional dependency that failed to build, or --omit=optional) SQLite databases name it", async () => {
    rmSync(join(app.dir, "node_modules", "better-sqlite3"), { recursive: true, force: true });
    const result = await npx(["migrate", "--config", "knex.yml", "--database", "jobs", "--json"], { JOBS_URL: "sqlite:./data/jobs.db" });
    const plain = await npx(["migrate", "--plan", "--json"]);
    expect([...json(result.stdout).databases, ...json(plain.stdout).databases].map((db) => [db.name, db.error?.message, db.error?.hint?.split(" (")[0]])).toEqual([
      ["jobs", "database jobs: the package better-sqlite3 is not installed; it is needed for knex's better-sqlite3 client", "npm install better-sqlite3"],
      ["main", "database main: the package better-sqlite3 is not installed; it is needed for SQLite databases", "npm install better-sqlite3"],
    ]);
  });
});
