import { rmSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, createDatabase, type TestDatabase } from "../helpers/servers.js";

const dialects = await availableDialects();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two raw databases, `orders` and `users`, with two migrations each and URLs in ORDERS_URL / USERS_URL. */
async function project(dialect: (typeof dialects)[number]) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  const dbs: TestDatabase[] = [];
  for (let i = 0; i < 2; i++) {
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(() => db.drop());
    dbs.push(db);
  }
  for (const name of ["orders", "users"]) {
    p.write(`${name}/001_create.sql`, `CREATE TABLE ${name}_t (id INT);\n`);
    p.write(`${name}/002_more.sql`, `CREATE TABLE ${name}_u (id INT);\n`);
  }
  p.write("stagecraft.yml", stringify({
    databases: {
      orders: { connection_env: "ORDERS_URL", migrations: { engine: "raw", path: "./orders" } },
      users: { connection_env: "USERS_URL", migrations: { engine: "raw", path: "./users" } },
    },
  }));
  const env = { ORDERS_URL: dbs[0]!.url, USERS_URL: dbs[1]!.url };
  return { ...p, env, status: (args: string[] = [], extra: Record<string, string> = env) => runCli(["status", ...args], p.dir, extra) };
}

describeDialects("stagecraft status on %s", dialects, (dialect) => {
  it("exits 4 while migrations are pending, 0 once every selected database is up to date", async () => {
    const p = await project(dialect);
    const pending = await p.status();
    expect(pending.code).toBe(4);
    expect(pending.stdout).toContain("orders (raw)  2 pending");
    expect(pending.stdout.trimEnd().split("\n").slice(-2)).toEqual(["2 databases, 2 planned", "status: pending — 2 of 2 databases with 4 migrations to apply"]);
    // --json prints the plan report, nothing else; its databases are planned, not succeeded.
    const json = await p.status(["--json"]);
    expect(json.code).toBe(4);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ version: 1, ok: true, mode: "plan", summary: { total: 2, planned: 2, succeeded: 0, failed: 0 } });
    expect(report.databases.map((db: { status: string }) => db.status)).toEqual(["planned", "planned"]);
    expect(json.stderr).toBe("");

    expect((await runCli(["migrate", "-d", "users"], p.dir, p.env)).code).toBe(0);
    expect((await p.status(["-d", "users"])).code).toBe(0);
    expect((await p.status(["-d", "users"])).stdout.trimEnd().split("\n").at(-1)).toBe("status: up to date (1 database)");
    // Selection as migrate takes it: excluding the database still pending makes the gate pass.
    expect((await p.status(["--exclude", "orders"])).code).toBe(0);
    expect((await p.status()).code).toBe(4);
    expect((await runCli(["migrate"], p.dir, p.env)).code).toBe(0);
    const clean = await p.status();
    expect(clean).toMatchObject({ code: 0, stderr: "" });
    expect(clean.stdout).toContain("orders (raw)  up to date");
    // A new migration makes it pending again.
    p.write("orders/003_next.sql", "CREATE TABLE orders_v (id INT);\n");
    expect((await p.status()).code).toBe(4);
  });

  it("exits 2 when an applied migration was edited or is missing (drift), even with others pending", async () => {
    const p = await project(dialect);
    expect((await runCli(["migrate"], p.dir, p.env)).code).toBe(0);
    p.write("orders/003_next.sql", "CREATE TABLE orders_v (id INT);\n");
    p.write("users/001_create.sql", "CREATE TABLE users_t (id BIGINT);\n");
    const edited = await p.status();
    expect(edited.code).toBe(2);
    expect(edited.stdout).toContain(`error [checksum_mismatch] database users: migration 001_create was changed after it was applied: ${p.dir}/users/001_create.sql`);
    expect(edited.stdout.trimEnd().split("\n").at(-1)).toBe("status: failed — 1 of 2 databases (users: checksum_mismatch)");
    expect(JSON.parse((await p.status(["--json"])).stdout)).toMatchObject({ ok: false, summary: { planned: 1, failed: 1 } });
    p.write("users/001_create.sql", "CREATE TABLE users_t (id INT);\n");
    rmSync(`${p.dir}/users/002_more.sql`);
    const missing = await p.status(["-d", "users"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain(`error [checksum_mismatch] database users: migration 002_more is recorded as applied but its file is gone from ${p.dir}/users`);
  });

  it("exits 1 when a selected database's config is invalid (its connection variable is unset)", async () => {
    const p = await project(dialect);
    const unset = await p.status([], { ORDERS_URL: p.env.ORDERS_URL });
    expect(unset.code).toBe(1);
    expect(unset.stdout).toContain("error [invalid_config] database users: environment variable USERS_URL is not set");
    expect(unset.stdout.trimEnd().split("\n").at(-1)).toBe("status: invalid config — 1 of 2 databases (users: invalid_config)");
    expect((await p.status(["-d", "orders"], { ORDERS_URL: p.env.ORDERS_URL })).code).toBe(4);
  });
});
