import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, type CliResult } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, PG_ADMIN_URL, type TestDatabase } from "../helpers/servers.js";
import { loadConfig, planAll, runAll, serializeError } from "../helpers/stagecraft.js";

const dialects = await availableDialects();
/** The password every URL carries: from ${TENANT_PASSWORD}, from a catalog column, in the catalog's own URL. */
const SENTINEL = "S3ntinel/Pa55:w@rd";
const ENCODED = encodeURIComponent(SENTINEL);
const FORMS = [SENTINEL, ENCODED, "S3ntinel"];

function expectNoSecret(label: string, text: string): void {
  for (const form of FORMS) expect({ label, leaked: text.includes(form) }).toEqual({ label, leaked: false });
}

describe.runIf(dialects.includes("postgres"))("fleet secrets on PostgreSQL", () => {
  const project = tempProject();
  let catalog: TestDatabase;
  let tenant: TestDatabase;
  // Trust auth ignores the password, so URLs can carry the sentinel and still connect.
  const admin = new URL(PG_ADMIN_URL);
  const [user, host, port] = [admin.username, admin.hostname, Number(admin.port || 5432)];
  const withPassword = (url: string, password: string) => url.replace(/^postgres:\/\/([^@:/]*)@/, `postgres://$1:${password}@`);
  const env = () => ({ CATALOG_URL: withPassword(catalog.url, ENCODED), TENANT_PASSWORD: ENCODED });

  beforeAll(async () => {
    catalog = await createDatabase("postgres", project.dir);
    tenant = await createDatabase("postgres", project.dir);
    await catalog.query("CREATE TABLE tenants (slug text, db text, port int, secret text)");
    for (const [slug, db, rowPort] of [["acme", tenant.name, port], ["ghost", "no_such_database_here", port], ["refused", tenant.name, 1]] as const) {
      await catalog.query("INSERT INTO tenants VALUES ($1, $2, $3, $4)", [slug, db, rowPort, ENCODED]);
    }
    project.write("migrations/001_ok.sql", "CREATE TABLE IF NOT EXISTS ok (id INT);\n");
    project.write("bad/001_bad.sql", "CREATE TABLE IF NOT EXISTS bad_t (id INT);\nSELECT * FROM no_such_table;\n");
    const sql = "SELECT slug AS name, db, port, secret FROM tenants ORDER BY slug";
    project.write("stagecraft.yml", stringify({
      databases: {
        // The password from the environment.
        tenants: { fleet: { query: { connection_env: "CATALOG_URL", sql }, url: `postgres://${user}:\${TENANT_PASSWORD}@${host}:{{port}}/{{db}}` }, migrations: { engine: "raw", path: "./migrations", lock_timeout_ms: 500 } },
        // The password from a catalog column; its migration fails with an SQL error.
        columns: { fleet: { query: { connection_env: "CATALOG_URL", sql }, name: "col_{{name}}", url: `postgres://${user}:{{secret}}@${host}:{{port}}/{{db}}` }, migrations: { engine: "raw", path: "./bad", table: "bad_history" } },
        // Through a list, with ?password= instead of userinfo.
        listed: { fleet: { list: ["one"], url: `postgres://${user}@${host}:1/x?password=\${TENANT_PASSWORD}` }, migrations: { engine: "raw", path: "./migrations" } },
      },
    }));
    // Configs that fail while expanding: the catalog unreachable, the query failing, a row's template field missing.
    const broken = (sql: string, url = `postgres://${user}:\${TENANT_PASSWORD}@${host}/{{db}}`) => stringify({ databases: { tenants: { fleet: { query: { connection_env: "CATALOG_URL", sql }, url }, migrations: { engine: "raw", path: "./migrations" } } } });
    project.write("bad-query.yml", broken("SELECT slug AS name FROM tenants WHERE secret = 'S3ntinel' AND nope"));
    project.write("bad-field.yml", broken(sql, `postgres://${user}:{{secret}}@${host}/{{missing}}`));
    project.write("bad-url.yml", broken(sql, `postgres://${user}:{{secret}}@${host}:{{name}}/x`));
  });
  afterAll(async () => {
    await catalog?.drop();
    await tenant?.drop();
    project.cleanup();
  });

  // ~20 CLI runs, validate among them checking every folder: room for a loaded shared machine.
  it("no command, output format or failure path prints the password", async () => {
    const outputs: [string, CliResult][] = [];
    const commands = [
      ["validate"], ["validate", "--json"], ["validate", "-v"],
      ["migrate"], ["migrate", "--json"], ["migrate", "-v"], ["migrate", "--plan"], ["migrate", "--plan", "--json"], ["migrate", "--plan", "-v"],
      ["migrate", "resolve", "-d", "tenant_ghost", "--applied", "001_ok"], ["migrate", "--down", "--steps", "1", "--all", "--yes", "--json"],
      ["migrate", "-d", "nothing*"], ["migrate", "--tag", "none"],
      ...["bad-query.yml", "bad-field.yml", "bad-url.yml"].flatMap((config) => [["validate", "-c", config], ["migrate", "--plan", "--json", "-c", config]]),
    ];
    for (const args of commands) outputs.push([args.join(" "), await runCli(args, project.dir, env())]);
    // The runs really went through every failure path.
    const report = JSON.parse(outputs[4]![1].stdout);
    const kinds = Object.fromEntries(report.databases.map((d: { name: string; error?: { kind: string } }) => [d.name, d.error?.kind ?? "ok"]));
    expect(kinds).toEqual({ acme: "ok", ghost: "connection_failed", refused: "connection_failed", col_acme: "migration_failed", col_ghost: "connection_failed", col_refused: "connection_failed", one: "connection_failed" });
    const validated = JSON.parse(outputs[1]![1].stdout);
    expect(validated.databases.find((d: { name: string }) => d.name === "col_acme")).toMatchObject({ fleet: "columns", url: expect.stringContaining(`:***@${host}:${port}/`), attributes: { secret: "***" } });
    expect(outputs.slice(-6).map(([, r]) => r.code)).toEqual([1, 1, 1, 1, 1, 1]);
    for (const [label, result] of outputs) {
      expectNoSecret(`${label} stdout`, result.stdout);
      expectNoSecret(`${label} stderr`, result.stderr);
    }
  }, 120_000);

  it("the API's config, reports and errors never hold the password", async () => {
    const file = `${project.dir}/stagecraft.yml`;
    const config = await loadConfig(file, { env: env() });
    expect(config.databases.map((db) => db.name)).toEqual(["acme", "col_acme", "col_ghost", "col_refused", "ghost", "one", "refused"]);
    expectNoSecret("config JSON", JSON.stringify(config));
    expectNoSecret("config inspect", inspect(config, { depth: 10 }));
    expectNoSecret("runAll report", JSON.stringify(await runAll(config, { env: {} })));
    expectNoSecret("planAll report", JSON.stringify(await planAll(file, { env: env() })));
    for (const broken of ["bad-query.yml", "bad-field.yml", "bad-url.yml"]) {
      const thrown = await loadConfig(`${project.dir}/${broken}`, { env: env() }).catch((e: unknown) => e);
      expect((thrown as { kind?: string }).kind).toBe("invalid_config");
      expectNoSecret(`${broken} error`, JSON.stringify(serializeError(thrown)) + String((thrown as Error).stack) + JSON.stringify(thrown));
    }
    const unreachable = await loadConfig(file, { env: { ...env(), CATALOG_URL: withPassword(catalog.url, ENCODED).replace(/:5432\//, ":1/") } }).catch((e: Error) => e);
    expect(unreachable.message).toContain("cannot reach the catalog");
    expectNoSecret("unreachable catalog", unreachable.message + JSON.stringify(unreachable));
  });
});
