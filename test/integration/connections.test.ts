import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BlackHoleProxy } from "../helpers/black-hole-proxy.js";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, MYSQL_ADMIN_URL, mysqlAdmin, PG_ADMIN_URL, pgAdmin, uniqueName, type Dialect } from "../helpers/servers.js";

type ServerDialect = Exclude<Dialect, "sqlite">;
const dialects = (await availableDialects()).filter((d): d is ServerDialect => d !== "sqlite");
const ADMIN = { postgres: PG_ADMIN_URL, mysql: MYSQL_ADMIN_URL };
const SERVER = { postgres: { host: "127.0.0.1", port: 5432 }, mysql: { host: "127.0.0.1", port: 3306 } };

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `url` with its database replaced. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function dropDatabase(dialect: ServerDialect, name: string): Promise<void> {
  if (dialect === "postgres") await pgAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  else await mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);
}

async function databaseExists(dialect: ServerDialect, name: string): Promise<boolean> {
  const rows = dialect === "postgres"
    ? await pgAdmin("SELECT 1 FROM pg_database WHERE datname = $1", [name])
    : await mysqlAdmin("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [name]);
  return rows.length > 0;
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(dialects)("connections to %s", (dialect) => {
  const project = tempProject();
  beforeAll(() => {
    project.write("migrations/001_init.sql", "CREATE TABLE conn_t (id INT);\n");
    project.write("knex/001_init.cjs", "exports.up = (knex) => knex.schema.createTable('knex_conn_t', (t) => t.integer('id'));\nexports.down = (knex) => knex.schema.dropTable('knex_conn_t');\n");
  });
  afterAll(() => project.cleanup());

  /** Writes a config with one raw database per entry of `urls`, and returns the env for it. */
  function configure(urls: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, string> {
    const databases = Object.fromEntries(Object.keys(urls).map((name) => [name, { connection_env: `URL_${name.toUpperCase()}`, migrations: { engine: "raw", path: "./migrations", ...extra } }]));
    project.write("stagecraft.yml", stringify({ databases }));
    return Object.fromEntries(Object.entries(urls).map(([name, url]) => [`URL_${name.toUpperCase()}`, url]));
  }

  it("each way of failing to connect gets its own hint", async () => {
    const proxy = await BlackHoleProxy.start(SERVER[dialect].host, SERVER[dialect].port);
    cleanups.push(() => proxy.close());
    proxy.stallAll();
    const admin = ADMIN[dialect];
    const user = new URL(admin);
    user.username = "sc_no_such_user";
    const env = configure({
      refused: admin.replace(/:(5432|3306)\//, ":1/"),
      dns: admin.replace("127.0.0.1", "no-such-host.invalid"),
      silent: proxy.url(admin),
      denied: user.toString(),
      missing: withDatabase(admin, "sc_no_such_database"),
      tls: `${admin}${dialect === "postgres" ? "?sslmode=require" : "?ssl=%7B%7D"}`,
    });
    const result = await runCli(["migrate", "--json", "--connect-timeout", "1500ms"], project.dir, env);
    expect(result.code).toBe(2);
    const errors = Object.fromEntries(JSON.parse(result.stdout).databases.map((d: { name: string; error: { kind: string; message: string; hint: string } }) => [d.name, d.error]));
    for (const error of Object.values(errors)) expect(error.kind).toBe("connection_failed");
    expect(errors.refused.hint).toMatch(/^nothing accepts connections on 127\.0\.0\.1:1: .* --wait=SECONDS/);
    expect(errors.dns.hint).toMatch(/^host no-such-host\.invalid cannot be resolved: check the host name in URL_DNS/);
    expect(errors.silent.message).toMatch(/: no answer within 1500 ms \(connect_timeout_ms\)$/);
    expect(errors.silent.hint).toMatch(/did not answer: .* raise connect_timeout_ms \(--connect-timeout\)/);
    expect(errors.denied.hint).toMatch(/^the server refused user sc_no_such_user: check the user name and password in URL_DENIED/);
    expect(errors.missing.hint).toMatch(/^database sc_no_such_database does not exist on 127\.0\.0\.1:(5432|3306): create it, or pass --create-database/);
    expect(errors.tls.hint).toMatch(/^the TLS handshake failed/);
  }, 60_000);

  it("--wait waits for a server that comes up during the wait; without it, a refused connection fails at once", async () => {
    const db = await createDatabase(dialect, project.dir);
    cleanups.push(db.drop);
    const port = await freePort();
    const url = new URL(db.url);
    url.port = String(port);
    const env = configure({ main: url.toString() });
    const refused = await runCli(["migrate", "--json"], project.dir, env);
    expect(JSON.parse(refused.stdout).databases[0].error.hint).toMatch(/^nothing accepts connections/);
    // The "server" starts listening a moment after the run began.
    const waiting = runCli(["migrate", "--json", "--wait=30s"], project.dir, env);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const proxy = await BlackHoleProxy.start(SERVER[dialect].host, SERVER[dialect].port, "127.0.0.1", port);
    cleanups.push(() => proxy.close());
    const result = await waiting;
    expect(JSON.parse(result.stdout).databases[0]).toMatchObject({ status: "succeeded", applied: ["001_init"] });
    expect(result.code).toBe(0);
  }, 60_000);

  it.each(["raw", "knex"])("--create-database creates a missing database (%s engine); a plan refuses it, and without it the hint says how", async (engine) => {
    const name = uniqueName();
    cleanups.push(() => dropDatabase(dialect, name));
    const env = configure({ main: withDatabase(ADMIN[dialect], name) });
    if (engine === "knex") project.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "URL_MAIN", migrations: { engine: "knex", path: "./knex" } } } }));
    const without = await runCli(["migrate", "--json"], project.dir, env);
    expect(JSON.parse(without.stdout).databases[0].error.hint).toContain(`database ${name} does not exist`);
    expect((await runCli(["migrate", "--plan", "--create-database"], project.dir, env)).code).toBe(1);
    expect(await databaseExists(dialect, name)).toBe(false);
    const result = await runCli(["migrate", "--json", "--create-database"], project.dir, env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).databases[0].applied).toEqual(["001_init" + (engine === "knex" ? ".cjs" : "")]);
    expect(await databaseExists(dialect, name)).toBe(true);
  }, 60_000);

  it("knex reaches an IPv6 literal host and a percent-encoded database name", async () => {
    const name = `${uniqueName()} x`;
    if (dialect === "postgres") await pgAdmin(`CREATE DATABASE "${name}"`);
    else await mysqlAdmin(`CREATE DATABASE \`${name}\``);
    cleanups.push(() => dropDatabase(dialect, name));
    const proxy = await BlackHoleProxy.start(SERVER[dialect].host, SERVER[dialect].port, "::1");
    cleanups.push(() => proxy.close());
    const url = proxy.url(withDatabase(ADMIN[dialect], encodeURIComponent(name)), "::1");
    expect(url).toContain("[::1]");
    project.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "URL_MAIN", migrations: { engine: "knex", path: "./knex" } } } }));
    const result = await runCli(["migrate", "--json"], project.dir, { URL_MAIN: url });
    expect(JSON.parse(result.stdout).databases[0]).toMatchObject({ status: "succeeded", applied: ["001_init.cjs"] });
  }, 60_000);
});
