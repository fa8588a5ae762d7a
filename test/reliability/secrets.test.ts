import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, type CliResult } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { availableDialects, createDatabase, mysqlAdmin, uniqueName, type TestDatabase } from "../helpers/servers.js";
import { planAll, runAll, serializeError } from "../helpers/stagecraft.js";

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
    project.write("migrations/001_ok.sql", "CREATE TABLE ok (id INT);\n");
    project.write("bad/001_bad.sql", "CREATE TABLE IF NOT EXISTS bad_sql_t (id INT);\nSELECT * FROM no_such_table;\n");
    const databases: Record<string, unknown> = {};
    for (const name of Object.keys(urls)) databases[name] = { connection_env: `URL_${name.toUpperCase()}`, migrations: { engine: "raw", path: "./migrations", lock_timeout_ms: 300 } };
    databases.sql_error = { connection_env: "URL_GOOD", migrations: { engine: "raw", path: "./bad", table: "bad_history" } };
    for (const engine of ["drizzle", "prisma", "knex"]) databases[`engine_${engine}`] = { connection_env: "URL_REFUSED", migrations: { engine, path: "./migrations" } };
    project.write("stagecraft.yml", stringify({ databases }));
  });
  afterAll(async () => {
    if (user) await mysqlAdmin(`DROP USER IF EXISTS '${user}'@'%'`);
    await db?.drop();
    project.cleanup();
  });

  const env = () => Object.fromEntries(Object.entries(urls).map(([name, url]) => [`URL_${name.toUpperCase()}`, url]));

  it("no command, output format or failure path prints the password", async () => {
    const outputs: [string, CliResult][] = [];
    for (const args of [["migrate"], ["migrate", "--json"], ["migrate", "-v"], ["migrate", "--plan"], ["migrate", "--plan", "--json"], ["validate"], ["validate", "--json"], ["migrate", "resolve", "-d", "refused", "--applied", "001_ok"], ["migrate", "--down", "--steps", "1", "--json"]]) {
      outputs.push([args.join(" "), await runCli(args, project.dir, env())]);
    }
    const report = JSON.parse(outputs[1]![1].stdout);
    const kinds = Object.fromEntries(report.databases.map((d: { name: string; error?: { kind: string } }) => [d.name, d.error?.kind ?? "ok"]));
    expect(kinds).toMatchObject({ good: "ok", refused: "connection_failed", auth_failure: "connection_failed", bad_port: "invalid_config", sql_error: "migration_failed", engine_drizzle: "connection_failed", engine_prisma: "connection_failed", engine_knex: "connection_failed" });
    for (const [label, result] of outputs) {
      expectNoSecret(`${label} stdout`, result.stdout);
      expectNoSecret(`${label} stderr`, result.stderr);
    }
  });

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
