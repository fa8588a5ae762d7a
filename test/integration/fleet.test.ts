import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, PG_ADMIN_URL, type TestDatabase } from "../helpers/servers.js";
import { ConfigError, loadConfig, planAll, runAll } from "../helpers/stagecraft.js";

const dialects = await availableDialects();
const names = (report: { databases: { name: string }[] }) => report.databases.map((db) => db.name);

describe.runIf(dialects.includes("postgres"))("a fleet from a catalog table on PostgreSQL", () => {
  const project = tempProject();
  const tenants: Record<string, TestDatabase> = {};
  let catalog: TestDatabase;
  const file = `${project.dir}/stagecraft.yml`;
  // Trust auth ignores the password; the template still carries one, as production URLs do.
  const env = () => ({ CATALOG_URL: catalog.url, TENANT_PASSWORD: "tenant-pw" });
  const serverUrl = PG_ADMIN_URL.replace(/^postgres:\/\/([^@/]*)@/, "postgres://$1:${TENANT_PASSWORD}@").replace(/\/[^/]*$/, "");

  beforeAll(async () => {
    catalog = await createDatabase("postgres", project.dir);
    for (const slug of ["acme", "apex", "globex", "initech"]) tenants[slug] = await createDatabase("postgres", project.dir);
    await catalog.query("CREATE TABLE tenants (slug text, db text, region text, tier int, tags text[], active boolean)");
    const rows: [string, string, string, number, string[], boolean][] = [
      ["acme", tenants.acme!.name, "eu", 1, ["canary"], true],
      ["apex", tenants.apex!.name, "us", 2, [], true],
      ["globex", tenants.globex!.name, "eu", 2, ["canary", "vip"], true],
      ["initech", tenants.initech!.name, "us", 1, [], false],
    ];
    for (const row of rows) await catalog.query("INSERT INTO tenants VALUES ($1, $2, $3, $4, $5, $6)", row);
    project.write("tenant-migrations/001_accounts.sql", "CREATE TABLE accounts (id INT PRIMARY KEY, email TEXT);\n");
    project.write("tenant-migrations/002_invoices.sql", "CREATE TABLE invoices (id INT PRIMARY KEY, account_id INT);\n");
    project.write("stagecraft.yml", stringify({
      databases: {
        tenants: {
          fleet: {
            query: { connection_env: "CATALOG_URL", sql: "SELECT slug AS name, db, region, tier, tags FROM tenants WHERE active ORDER BY slug" },
            name: "tenant_{{name}}",
            url: `${serverUrl}/{{db}}`,
            tags: ["{{region}}", "tier-{{tier}}"],
          },
          migrations: { engine: "raw", path: "./tenant-migrations" },
        },
      },
    }));
  });
  afterAll(async () => {
    await Promise.all([catalog, ...Object.values(tenants)].map((db) => db?.drop()));
    project.cleanup();
  });

  it("expands the active tenants with attributes and tags from the row, and migrates each on its own database", async () => {
    const config = await loadConfig(file, { env: env() });
    expect(config.databases.map((db) => [db.name, db.tags, db.attributes])).toEqual([
      ["tenant_acme", ["canary", "eu", "tier-1"], { db: tenants.acme!.name, region: "eu", tier: "1" }],
      ["tenant_apex", ["tier-2", "us"], { db: tenants.apex!.name, region: "us", tier: "2" }],
      ["tenant_globex", ["canary", "eu", "tier-2", "vip"], { db: tenants.globex!.name, region: "eu", tier: "2" }],
    ]);
    const report = await runAll(config, { env: {} });
    expect(report.databases.map((db) => [db.name, db.status, db.applied])).toEqual([
      ["tenant_acme", "succeeded", ["001_accounts", "002_invoices"]],
      ["tenant_apex", "succeeded", ["001_accounts", "002_invoices"]],
      ["tenant_globex", "succeeded", ["001_accounts", "002_invoices"]],
    ]);
    for (const slug of ["acme", "apex", "globex"]) {
      expect(await tenants[slug]!.query("SELECT id FROM stagecraft_migrations ORDER BY id")).toEqual([{ id: "001_accounts" }, { id: "002_invoices" }]);
    }
    expect(await tenants.initech!.query("SELECT to_regclass('stagecraft_migrations') AS t")).toEqual([{ t: null }]);
  });

  it("selects members by glob pattern, by tags (AND across groups, OR inside one) and by exclusion", async () => {
    const plan = (options: object) => planAll(file, { env: env(), ...options }).then(names);
    expect(await plan({ databases: ["tenant_a*"] })).toEqual(["tenant_acme", "tenant_apex"]);
    expect(await plan({ databases: ["tenants"] })).toEqual(["tenant_acme", "tenant_apex", "tenant_globex"]);
    expect(await plan({ tags: ["eu"] })).toEqual(["tenant_acme", "tenant_globex"]);
    expect(await plan({ tags: ["eu", "tier-2"] })).toEqual(["tenant_globex"]);
    expect(await plan({ tags: ["vip,us"] })).toEqual(["tenant_apex", "tenant_globex"]);
    expect(await plan({ databases: ["tenant_*"], exclude: ["*globex"], tags: ["canary,us"] })).toEqual(["tenant_acme", "tenant_apex"]);
    await expect(plan({ databases: ["tenant_z*"] })).rejects.toThrow(`invalid selection (1 problem) in ${file}:\n  pattern "tenant_z*" matches no database; defined: [tenant_acme, tenant_apex, tenant_globex]`);
    await expect(plan({ tags: ["mars"] })).rejects.toThrow('no database has the tag "mars"; tags in use: [canary, eu, tier-1, tier-2, us, vip]');
    await expect(plan({ tags: ["vip", "us"] })).rejects.toThrow("the selection is empty: each filter matches some database, but together they leave none");
  });

  it("a failing catalog query and an unreachable catalog are config errors naming the entry", async () => {
    const broken = file.replace("stagecraft.yml", "broken.yml");
    project.write("broken.yml", stringify({ databases: { tenants: { fleet: { query: { connection_env: "CATALOG_URL", sql: "SELECT slug AS name FROM no_such_table" }, url: "sqlite::memory:" }, migrations: { engine: "raw", path: "./tenant-migrations" } } } }));
    const failed = await loadConfig(broken, { env: env() }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConfigError);
    expect((failed as ConfigError).issues).toEqual([expect.objectContaining({
      path: "databases.tenants.fleet.query.sql",
      message: `fleet tenants: the catalog query failed on ${catalog.url}: relation "no_such_table" does not exist`,
    })]);
    const unreachable = await loadConfig(broken, { env: { CATALOG_URL: catalog.url.replace(/:5432\//, ":1/") } }).catch((e: ConfigError) => e.issues);
    expect(unreachable).toEqual([expect.objectContaining({ path: "databases.tenants.fleet.query.connection_env", message: expect.stringMatching(/^fleet tenants: cannot reach the catalog: cannot connect to postgres:\/\/.*:1\/.*ECONNREFUSED/) })]);
  });

  it("a catalog that never answers is bounded by query.timeout_ms", async () => {
    const slow = file.replace("stagecraft.yml", "slow.yml");
    project.write("slow.yml", stringify({ databases: { tenants: { fleet: { query: { connection_env: "CATALOG_URL", sql: "SELECT 'a' AS name FROM pg_sleep(30)", timeout_ms: 500 }, url: "sqlite::memory:" }, migrations: { engine: "raw", path: "./tenant-migrations" } } } }));
    const issues = await loadConfig(slow, { env: env() }).catch((e: ConfigError) => e.issues);
    expect(issues).toEqual([expect.objectContaining({ path: "databases.tenants.fleet.query.timeout_ms", message: `fleet tenants: the catalog ${catalog.url} did not answer within 500 ms (stuck in query)` })]);
  });
});

describe("fleets on SQLite: a catalog file and a glob", () => {
  const project = tempProject();
  const file = `${project.dir}/stagecraft.yml`;
  beforeAll(() => {
    project.write("migrations/001_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
    // An empty file is an empty SQLite database.
    for (const shard of ["s1", "s2", "s3"]) project.write(`shards/${shard}.db`, "");
    const catalog = new Database(`${project.dir}/catalog.db`);
    catalog.exec("CREATE TABLE tenants (name TEXT, region TEXT, tags TEXT); INSERT INTO tenants VALUES ('acme', 'eu', 'canary'), ('globex', 'us', NULL);");
    catalog.close();
    project.write("stagecraft.yml", stringify({
      databases: {
        shards: { fleet: { glob: "./shards/*.db" }, tags: ["shard"], migrations: { engine: "raw", path: "./migrations" } },
        tenants: { fleet: { query: { connection_env: "CATALOG_URL", sql: "SELECT name, region, tags FROM tenants" }, url: "sqlite:./tenants/{{name}}.db", tags: ["{{region}}"] }, migrations: { engine: "raw", path: "./migrations" } },
        main: { connection_env: "MAIN_URL", tags: ["canary"], migrations: { engine: "raw", path: "./migrations" } },
      },
    }));
  });
  afterAll(() => project.cleanup());
  const env = { CATALOG_URL: "sqlite:./catalog.db", MAIN_URL: "sqlite:./main.db" };

  it("migrates glob members in their own files and catalog members at their templated paths", async () => {
    const report = await runAll(file, { env });
    expect(report.databases.map((db) => [db.name, db.status, db.applied.length])).toEqual([
      ["acme", "succeeded", 1], ["globex", "succeeded", 1], ["main", "succeeded", 1], ["s1", "succeeded", 1], ["s2", "succeeded", 1], ["s3", "succeeded", 1],
    ]);
    for (const path of ["shards/s1.db", "shards/s3.db", "tenants/acme.db", "tenants/globex.db"]) {
      const db = new Database(`${project.dir}/${path}`, { readonly: true });
      expect(db.prepare("SELECT id FROM stagecraft_migrations").all()).toEqual([{ id: "001_t" }]);
      db.close();
    }
  });

  it("selects across plain databases and both fleets by entry name, pattern and tag", async () => {
    const plan = (options: object) => planAll(file, { env, ...options }).then(names);
    expect(await plan({ databases: ["shards", "acme"] })).toEqual(["acme", "s1", "s2", "s3"]);
    expect(await plan({ tags: ["canary"] })).toEqual(["acme", "main"]);
    expect(await plan({ tags: ["canary,shard"], exclude: ["s[12]"] })).toEqual(["acme", "main", "s3"]);
    expect(await plan({ databases: ["s?"], exclude: ["tenants"] })).toEqual(["s1", "s2", "s3"]);
    await expect(plan({ exclude: ["nope*"] })).rejects.toThrow('--exclude pattern "nope*" matches no database; defined: [acme, globex, main, s1, s2, s3]');
  });
});

describe.runIf(dialects.includes("mysql"))("a fleet from a catalog table on MySQL/MariaDB", () => {
  const project = tempProject();
  let catalog: TestDatabase;
  beforeAll(async () => {
    catalog = await createDatabase("mysql", project.dir);
    await catalog.query("CREATE TABLE tenants (slug VARCHAR(20), tier INT, tags VARCHAR(50))");
    await catalog.query("INSERT INTO tenants VALUES ('acme', 1, 'canary,eu'), ('globex', 2, NULL)");
    project.write("migrations/001_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n");
    project.write("stagecraft.yml", stringify({ databases: { tenants: { fleet: { query: { connection_env: "CATALOG_URL", sql: "SELECT slug AS name, tier, tags FROM tenants ORDER BY slug" }, url: "sqlite:./t/{{name}}.db", tags: ["tier-{{tier}}"] }, migrations: { engine: "raw", path: "./migrations" } } } }));
  });
  afterAll(async () => {
    await catalog?.drop();
    project.cleanup();
  });

  it("reads members, attributes and tags through the mysql driver", async () => {
    const config = await loadConfig(`${project.dir}/stagecraft.yml`, { env: { CATALOG_URL: catalog.url } });
    expect(config.databases.map((db) => [db.name, db.tags, db.attributes])).toEqual([["acme", ["canary", "eu", "tier-1"], { tier: "1" }], ["globex", ["tier-2"], { tier: "2" }]]);
    expect(names(await runAll(config, { env: {}, tags: ["eu"] }))).toEqual(["acme"]);
  });
});
