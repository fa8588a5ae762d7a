import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, planAll, type StagecraftConfig } from "../helpers/stagecraft.js";
import { tempProject } from "../helpers/project.js";

const projects: ReturnType<typeof tempProject>[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

function project(yaml: string) {
  const p = tempProject();
  projects.push(p);
  p.write("migrations/001_init.sql", "CREATE TABLE t (id INT);\n");
  const file = p.write("stagecraft.yml", yaml);
  return { ...p, file };
}

/** A SQLite catalog with the given rows, at `catalog.db` in the project. */
function catalog(dir: string, ddl: string, rows: unknown[][]): void {
  const db = new Database(`${dir}/catalog.db`);
  db.exec(ddl);
  const table = /CREATE TABLE (\w+)/.exec(ddl)![1];
  db.transaction(() => {
    for (const row of rows) db.prepare(`INSERT INTO ${table} VALUES (${row.map(() => "?").join(", ")})`).run(...row);
  })();
  db.close();
}

async function problems(yaml: string, env: Record<string, string> = {}, setup?: (dir: string) => void): Promise<string> {
  const p = project(yaml);
  setup?.(p.dir);
  try {
    await loadConfig(p.file, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.replaceAll(p.dir, "<dir>");
  }
  throw new Error("expected the config to be rejected");
}

const members = (config: StagecraftConfig) => config.databases.map((db) => ({ name: db.name, url: db.url, tags: db.tags, fleet: db.fleet, attributes: db.attributes }));

describe("fleet expansion", () => {
  it("expands a list with name, URL and tag templates, attributes and ${VAR} secrets", async () => {
    const p = project(`databases:
  tenants:
    fleet:
      list:
        - acme
        - { name: globex, region: us, tier: 2, tags: "beta, vip" }
      name: "tenant_{{name}}"
      url: "postgres://app:\${TENANT_PASSWORD}@db.internal:5432/t_{{ name }}"
      tags: ["tier-{{name}}"]
    tags: [fleet]
    migrations: { engine: raw, path: ./migrations }
  billing:
    connection_env: BILLING_URL
    tags: [canary, canary]
    migrations: { engine: raw, path: ./migrations }
`);
    const config = await loadConfig(p.file, { env: { TENANT_PASSWORD: "pw{{name}}" } });
    expect(members(config)).toEqual([
      { name: "billing", url: undefined, tags: ["canary"], fleet: undefined, attributes: undefined },
      // A variable's value is never read as a placeholder: {{name}} in the password stays literal.
      { name: "tenant_acme", url: "postgres://app:pw{{name}}@db.internal:5432/t_acme", tags: ["fleet", "tier-acme"], fleet: "tenants", attributes: {} },
      { name: "tenant_globex", url: "postgres://app:pw{{name}}@db.internal:5432/t_globex", tags: ["beta", "fleet", "tier-globex", "vip"], fleet: "tenants", attributes: { region: "us", tier: "2" } },
    ]);
    expect(config.fleets).toEqual([{ entry: "tenants", source: "list", members: ["tenant_acme", "tenant_globex"] }]);
    // Members share the entry's migrations block.
    expect(config.databases[1]).toMatchObject({ engine: "raw", migrationPath: `${p.dir}/migrations`, strategy: "pre_deploy", connectionEnv: "" });
    // The URL is not enumerable: logging or serialising the config never prints the password.
    expect(JSON.stringify(config)).not.toContain("pw{{name}}");
  });

  it("expands a glob of SQLite files: {{name}} is the file name without extension, the URL its path", async () => {
    const p = project(`databases:
  shards:
    fleet: { glob: "./data/**/*.db", tags: ["{{name}}"] }
    migrations: { engine: raw, path: ./migrations }
`);
    for (const file of ["data/a.db", "data/eu/b.db", "data/eu/deep/c.db", "data/.hidden.db", "data/notes.txt"]) p.write(file, "");
    const config = await loadConfig(p.file, { env: {} });
    expect(members(config)).toEqual([
      { name: "a", url: `sqlite:${p.dir}/data/a.db`, tags: ["a"], fleet: "shards", attributes: { path: `${p.dir}/data/a.db` } },
      { name: "b", url: `sqlite:${p.dir}/data/eu/b.db`, tags: ["b"], fleet: "shards", attributes: { path: `${p.dir}/data/eu/b.db` } },
      { name: "c", url: `sqlite:${p.dir}/data/eu/deep/c.db`, tags: ["c"], fleet: "shards", attributes: { path: `${p.dir}/data/eu/deep/c.db` } },
    ]);
    // An empty folder is an empty fleet; a missing folder is an error.
    expect(await problems(`databases:\n  shards:\n    fleet: { glob: ./nowhere/*.db }\n    migrations: { engine: raw, path: ./migrations }\n`)).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:3:20: databases.shards.fleet.glob: fleet shards: cannot list the fleet's files: folder <dir>/nowhere does not exist
  hint: fix the pattern (it is relative to the config file), or create the folder`);
  });

  it("expands a catalog query: name, url column, attributes, tags as a comma list; a template wins over the url column", async () => {
    const yaml = (url: string) => `databases:
  tenants:
    fleet:
      query: { connection_env: CATALOG_URL, sql: "SELECT slug AS name, url, region, tags FROM tenants WHERE active ORDER BY slug" }
      tags: ["{{region}}"]
${url}    migrations: { engine: raw, path: ./migrations }
`;
    const setup = (dir: string) => catalog(dir, "CREATE TABLE tenants (slug TEXT, url TEXT, region TEXT, tags TEXT, active INT)", [
      ["acme", "sqlite:./t/acme.db", "eu", "canary,beta", 1],
      ["globex", "sqlite:./t/globex.db", "us", null, 1],
      ["gone", "sqlite:./t/gone.db", "us", null, 0],
    ]);
    const p = project(yaml(""));
    setup(p.dir);
    const config = await loadConfig(p.file, { env: { CATALOG_URL: "sqlite:./catalog.db" } });
    expect(members(config)).toEqual([
      { name: "acme", url: "sqlite:./t/acme.db", tags: ["beta", "canary", "eu"], fleet: "tenants", attributes: { region: "eu" } },
      { name: "globex", url: "sqlite:./t/globex.db", tags: ["us"], fleet: "tenants", attributes: { region: "us" } },
    ]);
    const q = project(yaml(`      url: "{{url}}?journal_mode=wal"\n`));
    setup(q.dir);
    const templated = await loadConfig(q.file, { env: { CATALOG_URL: "sqlite:./catalog.db" } });
    expect(templated.databases.map((db) => db.url)).toEqual(["sqlite:./t/acme.db?journal_mode=wal", "sqlite:./t/globex.db?journal_mode=wal"]);
  });

  it("plans every member with the shared migrations", async () => {
    const p = project(`databases:
  tenants:
    fleet: { list: [a, b, c], url: "sqlite:./data/{{name}}.db" }
    migrations: { engine: raw, path: ./migrations }
`);
    const report = await planAll(p.file, { env: {} });
    expect(report.databases.map((db) => [db.name, db.status, db.migrations.map((m) => m.id)])).toEqual([["a", "planned", ["001_init"]], ["b", "planned", ["001_init"]], ["c", "planned", ["001_init"]]]);
    // Equal lists are one frozen list (docs/api.md): 20,000 members hold one, not 20,000.
    const [a, b] = report.databases;
    expect(b!.migrations).toBe(a!.migrations);
    expect(b!.applied).toBe(a!.applied);
    expect(Object.isFrozen(a!.migrations) && Object.isFrozen(a!.applied)).toBe(true);
  });
});

  it("members with equal tags and attributes share one read-only copy; the URL is never an own key", async () => {
    const p = project(`databases:
  tenants:
    fleet:
      list: [{ name: a, region: eu }, { name: b, region: eu }, { name: c, region: us }]
      url: "sqlite:./data/{{name}}.db"
      tags: ["{{region}}"]
    migrations: { engine: raw, path: ./migrations }
`);
    const [a, b, c] = (await loadConfig(p.file, { env: {} })).databases;
    expect([a!.tags, b!.tags, c!.tags]).toEqual([["eu"], ["eu"], ["us"]]);
    expect(b!.tags).toBe(a!.tags);
    expect(b!.attributes).toBe(a!.attributes);
    expect(c!.attributes).not.toBe(a!.attributes);
    // Shared, so one member's change would be every member's: refused instead.
    expect(() => (a!.tags as string[]).push("x")).toThrow(TypeError);
    expect(() => ((a!.attributes as Record<string, string>).region = "us")).toThrow(TypeError);
    expect(b!.attributes).toEqual({ region: "eu" });
    expect(a!.url).toBe("sqlite:./data/a.db");
    expect(Object.keys(a!)).not.toContain("url");
    expect(JSON.stringify(a)).not.toContain("a.db");
    expect({ ...a }).not.toHaveProperty("url");
  });

describe("fleets and environments", () => {
  it("an environment overrides a fleet's URL template, and its errors point at the override", async () => {
    const p = project(`databases:
  tenants:
    fleet: { list: [a, b], url: "sqlite:./dev/{{name}}.db" }
    migrations: { engine: raw, path: ./migrations }
environments:
  prod:
    databases:
      tenants:
        fleet: { url: "postgres://app:\${PROD_PASSWORD}@db/{{name}}" }
`);
    expect((await loadConfig(p.file, { env: {} })).databases.map((db) => db.url)).toEqual(["sqlite:./dev/a.db", "sqlite:./dev/b.db"]);
    const prod = await loadConfig(p.file, { env: { PROD_PASSWORD: "pw" }, environment: "prod" });
    expect(prod.databases.map((db) => db.url)).toEqual(["postgres://app:pw@db/a", "postgres://app:pw@db/b"]);
    expect(await loadConfig(p.file, { env: {}, environment: "prod" }).catch((e: Error) => e.message.replaceAll(p.dir, "<dir>"))).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:9:23: environments.prod.databases.tenants.fleet.url: fleet tenants: environment variable PROD_PASSWORD is not set (used as \${PROD_PASSWORD})
  hint: set PROD_PASSWORD, or write $\${PROD_PASSWORD} for a literal \${PROD_PASSWORD}`);
  });
});

describe("fleet errors name the entry, the row and the problem", () => {
  const catalogYaml = (sql: string, extra = "") => `databases:
  tenants:
    fleet:
      query: { connection_env: CATALOG_URL, sql: "${sql}" }
${extra}    migrations: { engine: raw, path: ./migrations }
`;
  const rows = (dir: string) => catalog(dir, "CREATE TABLE tenants (slug TEXT, region TEXT)", [["acme", "eu"], [null, "us"], ["globex", null], ["acme", "us"], ["bad name", "eu"]]);
  const env = { CATALOG_URL: "sqlite:./catalog.db" };

  it("a catalog that cannot be reached", async () => {
    expect(await problems(catalogYaml("SELECT 1 AS name"), env)).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:4:32: databases.tenants.fleet.query.connection_env: fleet tenants: cannot reach the catalog: SQLite file <dir>/catalog.db does not exist
  hint: check CATALOG_URL (a relative sqlite: path is relative to the config file)`);
    expect(await problems(catalogYaml("SELECT 1 AS name"), { CATALOG_URL: "postgres://cat:Secr3tPw@127.0.0.1:1/catalog" })).toMatch(
      /^invalid config \(1 problem\):\n<dir>\/stagecraft\.yml:4:32: databases\.tenants\.fleet\.query\.connection_env: fleet tenants: cannot reach the catalog: cannot connect to postgres:\/\/cat:\*\*\*@127\.0\.0\.1:1\/catalog: .*ECONNREFUSED.*\n  hint: check that the catalog server is running and that CATALOG_URL is right$/,
    );
    expect(await problems(catalogYaml("SELECT 1 AS name"), {})).toContain("databases.tenants.fleet.query.connection_env: fleet tenants: environment variable CATALOG_URL is not set (the catalog's connection URL)");
  });

  it("a query that fails", async () => {
    expect(await problems(catalogYaml("SELECT name FROM no_such_table"), env, rows)).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:4:50: databases.tenants.fleet.query.sql: fleet tenants: the catalog query failed on sqlite:./catalog.db: no such table: no_such_table
  hint: run the query by hand against the catalog; it must return a name column, optionally url, tags and attributes`);
  });

  it("a row without a name, a duplicate name, a bad name and a missing template field, each with its row", async () => {
    const message = await problems(catalogYaml("SELECT slug AS name, region FROM tenants", `      url: "sqlite:./t/{{name}}-{{region}}.db"\n`), env, rows);
    expect(message).toBe(`invalid config (4 problems):
<dir>/stagecraft.yml:4:50: databases.tenants.fleet.query.sql: fleet tenants: row 2: has no name: the query must return a \`name\` column with a value in every row
<dir>/stagecraft.yml:4:50: databases.tenants.fleet.query.sql: fleet tenants: row 3 (globex): fleet.url uses {{region}}, which this row does not have (it has: name)
  hint: add the field to every row, or change the template
<dir>/stagecraft.yml:4:50: databases.tenants.fleet.query.sql: fleet tenants: row 4 (acme): member name acme is taken twice in fleet tenants: also by row 1
  hint: names must be unique: fix the source, or put more fields in fleet.name
<dir>/stagecraft.yml:4:50: databases.tenants.fleet.query.sql: fleet tenants: row 5 (bad name): member name "bad name" is not a valid database name (letters, digits, _, . and - only)
  hint: fix the name in the source, or change fleet.name`);
  });

  it("a list item is located on its own line; no URL at all is reported", async () => {
    expect(await problems(`databases:
  tenants:
    fleet:
      list:
        - a
        - { name: b, url: "sqlite:./b.db" }
    migrations: { engine: raw, path: ./migrations }
`)).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:5:11: databases.tenants.fleet.list.0: fleet tenants: item 1 (a): has no URL: set fleet.url (a template), or give every row a url
  hint: e.g. url: postgres://app:\${TENANT_PASSWORD}@db:5432/t_{{name}}`);
  });

  it("an unset ${VAR} in a template is reported once, not once per member", async () => {
    expect(await problems(`databases:
  tenants:
    fleet: { list: [a, b, c], url: "postgres://app:\${TENANT_PASSWORD}@db/{{name}}" }
    migrations: { engine: raw, path: ./migrations }
`)).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:3:36: databases.tenants.fleet.url: fleet tenants: environment variable TENANT_PASSWORD is not set (used as \${TENANT_PASSWORD})
  hint: set TENANT_PASSWORD, or write $\${TENANT_PASSWORD} for a literal \${TENANT_PASSWORD}`);
  });

  it("a name defined twice across the config names both sources", async () => {
    expect(await problems(`databases:
  billing:
    connection_env: BILLING_URL
    migrations: { engine: raw, path: ./migrations }
  tenants:
    fleet: { list: [acme, billing], url: "sqlite:./{{name}}.db" }
    migrations: { engine: raw, path: ./migrations }
  more:
    fleet: { list: [acme], url: "sqlite:./{{name}}.db" }
    migrations: { engine: raw, path: ./migrations }
`)).toBe(`invalid config (2 problems):
<dir>/stagecraft.yml:6:5: databases.tenants.fleet: database name acme is defined twice: by databases.more (item 1) and by databases.tenants (item 1)
  hint: names are unique across the whole config: rename one, or change fleet.name (e.g. tenant_{{name}})
<dir>/stagecraft.yml:6:5: databases.tenants.fleet: database name billing is defined twice: by databases.billing and by databases.tenants (item 2)
  hint: names are unique across the whole config: rename one, or change fleet.name (e.g. tenant_{{name}})`);
  });

  it("an unusable member URL, a bad tag, a fleet with two sources and a fleet with connection_env", async () => {
    expect(await problems(`databases:
  a:
    fleet: { list: [x], url: "redis://{{name}}" }
    migrations: { engine: raw, path: ./migrations }
  b:
    fleet: { list: [{ name: y, region: "e u" }], url: "sqlite:./{{name}}.db", tags: ["{{region}}"] }
    migrations: { engine: raw, path: ./migrations }
  c:
    fleet: { list: [x], glob: "*.db" }
    connection_env: C_URL
    migrations: { engine: raw, path: ./migrations }
`)).toBe(`invalid config (4 problems):
<dir>/stagecraft.yml:3:21: databases.a.fleet.list.0: fleet a: item 1 (x): member x: its URL is unusable: scheme "redis:" is not supported; use postgres://, postgresql://, mysql://, mariadb://, sqlite:<path> or file:<path>
  hint: fix fleet.url or the source's url (postgres://…, mysql://…, sqlite:<path>)
<dir>/stagecraft.yml:6:21: databases.b.fleet.list.0: fleet b: item 1 (y): tag "e u" (from fleet.tags[0]) must be non-empty, without spaces or commas
<dir>/stagecraft.yml:9:5: databases.c.fleet: takes one of list, query or glob, not list and glob
<dir>/stagecraft.yml:10:21: databases.c.connection_env: a fleet entry takes no connection_env: each member's URL comes from fleet.url (or the source's url)
  hint: remove connection_env, or remove fleet: to make this one database`);
  });

  it("thousands of bad rows are summarised after the first 20", async () => {
    const message = await problems(catalogYaml("SELECT NULL AS name FROM t"), env, (dir) => catalog(dir, "CREATE TABLE t (x INT)", Array.from({ length: 5000 }, (_, i) => [i])));
    expect(message.split("\n")[0]).toBe("invalid config (21 problems):");
    expect(message.split("\n").at(-1)).toBe("<dir>/stagecraft.yml:3:5: databases.tenants.fleet: fleet tenants: and 4980 more rows of fleet tenants with problems (the first 20 are listed)");
  });
});

describe("config keys that are Object.prototype names (issue 14)", () => {
  it("keeps a database named __proto__ and reads no prototype for connection_env: constructor", async () => {
    const p = project(`databases:
  __proto__:
    connection_env: constructor
    migrations: { engine: raw, path: ./migrations, table: "\${toString}" }
  constructor:
    connection_env: toString
    migrations: { engine: raw, path: ./migrations }
`);
    expect(await loadConfig(p.file, { env: {} }).catch((e: Error) => e.message.replaceAll(p.dir, "<dir>"))).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:4:59: databases.__proto__.migrations.table: environment variable toString is not set (used as \${toString})
  hint: set toString, or write $\${toString} for a literal \${toString}`);
    p.write("stagecraft.yml", `databases:
  __proto__:
    connection_env: constructor
    migrations: { engine: raw, path: ./migrations }
  constructor:
    connection_env: toString
    migrations: { engine: raw, path: ./migrations }
`);
    const config = await loadConfig(p.file, { env: {} });
    expect(config.databases.map((db) => [db.name, db.connectionEnv])).toEqual([["__proto__", "constructor"], ["constructor", "toString"]]);
    const report = await planAll(config, { env: {} });
    expect(report.databases.map((db) => [db.name, db.error?.message])).toEqual([
      ["__proto__", "database __proto__: environment variable constructor is not set (connection_env of databases.__proto__)"],
      ["constructor", "database constructor: environment variable toString is not set (connection_env of databases.constructor)"],
    ]);
    const overridden = await planAll(p.file, { env: { constructor: "sqlite::memory:", toString: "sqlite::memory:" } });
    expect(overridden.databases.map((db) => [db.name, db.status])).toEqual([["__proto__", "planned"], ["constructor", "planned"]]);
  });

  it("an environment override of __proto__ and of an undefined constructor entry", async () => {
    const p = project(`databases:
  __proto__:
    connection_env: A_URL
    migrations: { engine: raw, path: ./migrations }
environments:
  staging:
    databases:
      __proto__: { connection_env: B_URL }
      constructor: { connection_env: C_URL }
`);
    expect(await loadConfig(p.file, { env: {}, environment: "staging" }).catch((e: Error) => e.message.replaceAll(p.dir, "<dir>"))).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:9:7: environments.staging.databases.constructor: overrides database constructor, which is not defined under databases:
  hint: define the database under databases:, or fix the name`);
  });
});

describe("JSON Schema", () => {
  it("covers fleet entries, their keys and tags, with each engine's migrations keys", async () => {
    const { readFileSync } = await import("node:fs");
    const schema = JSON.parse(readFileSync(new URL("../../dist/stagecraft.schema.json", import.meta.url), "utf8"));
    const [plain, fleet] = schema.properties.databases.additionalProperties.anyOf;
    expect(Object.keys(plain.properties)).toEqual(["connection_env", "migrations", "tags"]);
    expect(Object.keys(fleet.properties)).toEqual(["fleet", "migrations", "tags"]);
    expect(fleet.required).toEqual(["fleet", "migrations"]);
    const keys = fleet.properties.fleet;
    expect(Object.keys(keys.properties)).toEqual(["list", "query", "glob", "name", "url", "tags"]);
    expect(keys.additionalProperties).toBe(false);
    expect(keys.properties.query).toMatchObject({ required: ["connection_env", "sql"], additionalProperties: false, properties: { timeout_ms: { default: 30000 } } });
    expect(keys.properties.name.default).toBe("{{name}}");
    expect(plain.properties.tags.items.pattern).toBe("^[^\\s,]+$");
    expect(fleet.properties.migrations.anyOf.map((v: { properties: { engine: { const: string } } }) => v.properties.engine.const)).toEqual(["drizzle", "knex", "prisma", "raw"]);
  });
});
