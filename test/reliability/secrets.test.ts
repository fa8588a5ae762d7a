import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, type CliResult } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { availableDialects, createDatabase, mysqlAdmin, uniqueName, type TestDatabase } from "../helpers/servers.js";
import { planAll, redactUrl, runAll, serializeError } from "../helpers/stagecraft.js";
// Internal helpers, from the same build the workers run.
import { scrubSecrets } from "../../dist/src/errors.js";
import { secretsOf } from "../../dist/src/drivers/url.js";

const dialects = (await availableDialects()).filter((d) => d !== "sqlite");
/** Appears in every URL; it must never come back out, raw or URL-encoded. */
const SENTINEL = "S3ntinel/Pa55:w@rd";
const ENCODED = encodeURIComponent(SENTINEL);
const FORMS = [SENTINEL, ENCODED, "S3ntinel"];

function expectNoSecret(label: string, text: string): void {
  for (const form of FORMS) expect({ label, leaked: text.includes(form) }).toEqual({ label, leaked: false });
}

describeDialects("secrets on %s", dialects, (dialect) => {
  const project = tempProject();
  let db: TestDatabase;
  let goodUrl: string;
  let user: string | undefined;
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    db = await createDatabase(dialect, project.dir);
    if (dialect === "postgres") {
      // Trust auth ignores the password, so a URL can carry the sentinel and still connect.
      goodUrl = db.url.replace("postgres://postgres@", `postgres://postgres:${ENCODED}@`);
      urls.auth_failure = goodUrl.replace(/\/[^/]*$/, "/no_such_database_here");
    } else {
      user = uniqueName("u");
      await mysqlAdmin(`CREATE USER '${user}'@'%' IDENTIFIED BY '${SENTINEL}'`);
      await mysqlAdmin(`GRANT ALL ON ${db.name}.* TO '${user}'@'%'`);
      goodUrl = db.url.replace("mysql://root@", `mysql://${user}:${ENCODED}@`);
      urls.auth_failure = goodUrl.replace(ENCODED, `${ENCODED}x`);
    }
    urls.good = goodUrl;
    urls.refused = goodUrl.replace(/:(5432|3306)\//, ":1/");
    urls.bad_port = goodUrl.replace(/:(5432|3306)\//, ":notaport/");
    // URLs that do not survive parsing unchanged: a trailing newline from a secret file, an
    // upper-case scheme, padding; and the password as a query parameter, where libpq reads it.
    const [scheme, rest] = goodUrl.split("://") as [string, string];
    const withoutPassword = rest.replace(`:${ENCODED}@`, "@");
    urls.query_password = `${scheme.toUpperCase()}://${withoutPassword.replace(/:(5432|3306)\//, ":1/")}?password=${ENCODED}\n`;
    urls.query_password_connects = `${scheme}://${withoutPassword}?${dialect === "postgres" ? "sslmode=disable" : "charset=utf8mb4"}&password=${ENCODED}`;
    urls.upper_scheme = `${scheme.toUpperCase()}://${rest.replace(/:(5432|3306)\//, ":1/")}`;
    urls.padded = `  ${goodUrl}\r\n`;
    project.write("migrations/001_ok.sql", "CREATE TABLE ok (id INT);\n");
    // A migration whose timer throws an error carrying knex's connection config: it kills its thread.
    project.write("knex_crash/001_crash.cjs", "exports.up = async (knex) => { setTimeout(() => { throw new Error('timer: ' + JSON.stringify(knex.client.config.connection)); }, 10); await new Promise((r) => setTimeout(r, 2000)); };\nexports.down = async () => {};\n");
    project.write("bad/001_bad.sql", "CREATE TABLE IF NOT EXISTS bad_sql_t (id INT);\nSELECT * FROM no_such_table;\n");
    const databases: Record<string, unknown> = {};
    for (const name of Object.keys(urls)) databases[name] = { connection_env: `URL_${name.toUpperCase()}`, migrations: { engine: "raw", path: "./migrations", lock_timeout_ms: 20_000 } };
    databases.sql_error = { connection_env: "URL_GOOD", migrations: { engine: "raw", path: "./bad", table: "bad_history" } };
    for (const engine of ["drizzle", "prisma", "knex"]) databases[`engine_${engine}`] = { connection_env: "URL_REFUSED", migrations: { engine, path: "./migrations" } };
    databases.knex_crash = { connection_env: "URL_GOOD", migrations: { engine: "knex", path: "./knex_crash", tableName: "crash_migrations" } };
    project.write("stagecraft.yml", stringify({ databases }));
  });
  afterAll(async () => {
    if (user) await mysqlAdmin(`DROP USER IF EXISTS '${user}'@'%'`);
    await db?.drop();
    project.cleanup();
  });

  const env = () => Object.fromEntries(Object.entries(urls).map(([name, url]) => [`URL_${name.toUpperCase()}`, url]));

  // Many CLI processes, each with several databases: minutes on a loaded machine.
  it("no command, output format or failure path prints the password", { timeout: 240_000 }, async () => {
    const outputs: [string, CliResult][] = [];
    // The JSON run first: on MySQL the knex crash leaves its migration marked unfinished, and later runs report that instead.
    for (const args of [["migrate", "--json"], ["migrate"], ["migrate", "-v"], ["migrate", "--plan"], ["migrate", "--plan", "--json"], ["validate"], ["validate", "--json"], ["migrate", "resolve", "-d", "refused", "--applied", "001_ok"], ["migrate", "--down", "--steps", "1", "--all", "--yes", "--json"]]) {
      outputs.push([args.join(" "), await runCli(args, project.dir, env())]);
    }
    const report = JSON.parse(outputs[0]![1].stdout);
    const kinds = Object.fromEntries(report.databases.map((d: { name: string; error?: { kind: string } }) => [d.name, d.error?.kind ?? "ok"]));
    expect(kinds).toMatchObject({ good: "ok", refused: "connection_failed", auth_failure: "connection_failed", bad_port: "invalid_config", sql_error: "migration_failed", engine_drizzle: "connection_failed", engine_prisma: "connection_failed", engine_knex: "connection_failed", query_password: "connection_failed", upper_scheme: "connection_failed", padded: "ok", knex_crash: "internal" });
    // The crash message is there, with the connection config, but not the password.
    expect(report.databases.find((d: { name: string }) => d.name === "knex_crash").error.message).toMatch(/died.*: timer: \{/);
    // Targets mask only the password: the rest of the URL stays readable.
    expect(report.databases.find((d: { name: string }) => d.name === "query_password").error.message).toMatch(/cannot connect to (postgres|mysql):\/\/\w+@127\.0\.0\.1:1\/\w+\?password=\*\*\*: /);
    for (const [label, result] of outputs) {
      expectNoSecret(`${label} stdout`, result.stdout);
      expectNoSecret(`${label} stderr`, result.stderr);
    }
  }, 120_000);

  it("migrate baseline, previewed, as JSON and as text, never prints the password", async () => {
    for (const args of [["migrate", "baseline", "--to", "001_ok", "--plan"], ["migrate", "baseline", "--to", "001_ok", "--json"], ["migrate", "baseline", "--to", "001_ok"]]) {
      const result = await runCli(args, project.dir, env());
      // Every database is reported: the unreachable ones with their (scrubbed) connection errors.
      expect(result.stdout, args.join(" ")).toMatch(/refused|"name": "refused"/);
      expectNoSecret(`${args.join(" ")} stdout`, result.stdout);
      expectNoSecret(`${args.join(" ")} stderr`, result.stderr);
    }
  }, 180_000);

  it("the API's reports and errors never hold the password, lock timeouts included", async () => {
    const file = `${project.dir}/stagecraft.yml`;
    const holder = await holdLock(dialect, goodUrl, db.name);
    try {
      const report = await runAll(file, { env: env() });
      expect(report.databases.find((d) => d.name === "good")?.error?.kind).toBe("lock_timeout");
      expectNoSecret("runAll report", JSON.stringify(report));
      expectNoSecret("planAll report", JSON.stringify(await planAll(file, { env: env() })));
      const thrown = await runAll(file, { env: env(), databases: ["missing"] }).catch((e: unknown) => e);
      expectNoSecret("thrown error", JSON.stringify(serializeError(thrown)) + String((thrown as Error).stack));
    } finally {
      await holder();
    }
  });
});

describe("scrubbing", () => {
  it("finds every secret of a URL, also in one that does not parse, and in password-like query parameters", () => {
    expect(secretsOf("postgres://app:pa%2Fss@db/orders")).toEqual(expect.arrayContaining(["pa%2Fss", "pa/ss"]));
    expect(secretsOf("postgres://app:pa/ss#word@db:notaport/orders")).toContain("pa/ss#word");
    expect(secretsOf("POSTGRES://app@db/orders?sslmode=require&password=s3cr%2Bt&pass=other\n")).toEqual(expect.arrayContaining(["s3cr%2Bt", "s3cr+t", "other"]));
    expect(secretsOf("host=db user=app password=s3cret dbname=orders")).toEqual(expect.arrayContaining(["host=db user=app password=s3cret dbname=orders", "s3cret"]));
    expect(secretsOf("mysql://root@db/app")).toEqual([]);
  });

  it("masks a secret as written, decoded, percent-encoded in either case or in part, with + for a space, and JSON-escaped", () => {
    const secret = 'S3nt/"in el\\';
    const forms = [secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()), "S3nt%2f\"in+el%5C", JSON.stringify(secret).slice(1, -1)];
    for (const form of forms) expect(scrubSecrets(`before ${form} after`, [secret])).toBe("before *** after");
    // Too short to mask in free text without garbling it (URLs are redacted instead).
    expect(scrubSecrets("ab cd", ["ab"])).toBe("ab cd");
  });
});

describe("redactUrl", () => {
  it("masks only the password, in the userinfo and in password-like query parameters, whatever the spelling of the URL", () => {
    expect(redactUrl("postgres://app:s3cret@db:5432/orders")).toBe("postgres://app:***@db:5432/orders");
    expect(redactUrl("POSTGRES://app@db:5432/orders?sslmode=require&password=s3cret\n")).toBe("postgres://app@db:5432/orders?sslmode=require&password=***");
    expect(redactUrl("  mysql://root@127.0.0.1:3306/app?sslpassword=x%2Fy&ssl=true\r\n")).toBe("mysql://root@127.0.0.1:3306/app?sslpassword=***&ssl=true");
    expect(redactUrl("mysql://root@127.0.0.1:3306/app")).toBe("mysql://root@127.0.0.1:3306/app");
    expect(redactUrl("sqlite:./data/app.db")).toBe("sqlite:./data/app.db");
    expect(redactUrl("postgres://u:p@ss@host/db")).toBe("postgres://u:***@host/db");
  });
});

async function holdLock(dialect: string, url: string, dbName: string): Promise<() => Promise<void>> {
  if (dialect === "postgres") {
    const { createHash } = await import("node:crypto");
    const key = createHash("sha256").update("stagecraft:.stagecraft_migrations").digest().readBigInt64BE(0).toString();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
    return async () => void (await client.end());
  }
  const conn = await mysql.createConnection({ uri: url });
  await conn.query("SELECT GET_LOCK(?, 1)", [`stagecraft:${dbName}:.stagecraft_migrations`]);
  return async () => void (await conn.end());
}
