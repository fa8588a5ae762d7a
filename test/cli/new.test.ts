import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A project with one database per engine entry, each on its own SQLite file. */
function project(databases: Record<string, { engine: string; path: string; extra?: Record<string, unknown> }>, files: Record<string, string> = {}) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  for (const [path, text] of Object.entries(files)) p.write(path, text);
  const env: Record<string, string> = {};
  const config: Record<string, unknown> = {};
  for (const [name, db] of Object.entries(databases)) {
    config[name] = { connection_env: `${name.toUpperCase()}_URL`, migrations: { engine: db.engine, path: db.path, ...db.extra } };
    env[`${name.toUpperCase()}_URL`] = `sqlite:./${name}.db`;
  }
  p.write("stagecraft.yml", stringify({ databases: config }));
  const cli = (args: string[]) => runCli(args, p.dir, env);
  const list = (dir: string): string[] => readdirSync(`${p.dir}/${dir}`).sort();
  return { ...p, cli, list };
}

describe("stagecraft new", () => {
  it("raw: the next number in the folder's width and separator, .down.sql with --down, and the run applies it", async () => {
    const p = project({ main: { engine: "raw", path: "./m" } }, { "m/0007-users.sql": "CREATE TABLE users (id INT);\n", "m/0009-posts.sql": "CREATE TABLE posts (id INT);\n" });
    const made = await p.cli(["new", "Add email index", "-d", "main", "--down"]);
    expect(made).toMatchObject({ code: 0, stderr: "", stdout: "created m/0010-add_email_index.sql\ncreated m/0010-add_email_index.down.sql\n" });
    expect(readFileSync(`${p.dir}/m/0010-add_email_index.sql`, "utf8")).toMatch(/^-- 0010-add_email_index: /);
    const run = await p.cli(["migrate"]);
    expect(run.stdout).toContain("✓ main: 3 applied (0007-users, 0009-posts, 0010-add_email_index)");
    expect(JSON.parse((await p.cli(["new", "drop_legacy", "-d", "main", "--json"])).stdout)).toEqual({ database: "main", engine: "raw", id: "0011-drop_legacy", files: [`${p.dir}/m/0011-drop_legacy.sql`] });
  });

  it("raw: an empty folder starts at 001; a timestamped folder gets a UTC timestamp; .up.sql folders keep .up.sql", async () => {
    const p = project({ fresh: { engine: "raw", path: "./fresh" }, stamped: { engine: "raw", path: "./stamped" } }, {
      "stamped/20240101000000_init.up.sql": "CREATE TABLE t (id INT);\n",
      "fresh/README.md": "hand-written SQL migrations\n",
    });
    expect((await p.cli(["new", "init", "-d", "fresh"])).stdout).toBe("created fresh/001_init.sql\n");
    const stamped = await p.cli(["new", "more", "-d", "stamped"]);
    expect(stamped.stdout).toMatch(/^created stamped\/(\d{14})_more\.up\.sql\n$/);
    const stamp = /(\d{14})/.exec(stamped.stdout)![1]!;
    expect(stamp > "20240101000000").toBe(true);
    expect(stamp.slice(0, 4)).toBe(String(new Date().getUTCFullYear()));
  });

  it("knex: a module in the folder's style (CommonJS or ESM) that knex runs", async () => {
    const p = project({
      cjs: { engine: "knex", path: "./cjs" },
      esm: { engine: "knex", path: "./esm", extra: { loadExtensions: [".mjs"] } },
    }, { "esm/.keep": "", "cjs/20240101000000_jobs.cjs": "exports.up = (knex) => knex.schema.createTable(\"jobs\", (t) => t.increments(\"id\"));\nexports.down = (knex) => knex.schema.dropTable(\"jobs\");\n" });
    const cjs = await p.cli(["new", "index jobs", "-d", "cjs"]);
    expect(cjs.code).toBe(0);
    const [file] = p.list("cjs").filter((f) => f.endsWith("_index_jobs.cjs"));
    expect(readFileSync(`${p.dir}/cjs/${file}`, "utf8")).toContain("exports.up = async (knex) => {");
    expect((await p.cli(["new", "init", "-d", "esm"])).code).toBe(0);
    const [esm] = p.list("esm").filter((f) => f !== ".keep");
    expect(esm).toMatch(/^\d{14}_init\.mjs$/);
    expect(readFileSync(`${p.dir}/esm/${esm}`, "utf8")).toContain("export async function down(knex) {");
    const run = await p.cli(["migrate"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`✓ cjs: 2 applied (20240101000000_jobs.cjs, ${file})`);
    expect(run.stdout).toContain(`✓ esm: 1 applied (${esm})`);
  });

  it("Prisma and drizzle: exit 1 naming the command that creates their migrations; nothing is written", async () => {
    const p = project({ orders: { engine: "prisma", path: "./prisma/migrations" }, catalog: { engine: "drizzle", path: "./drizzle" } }, { "prisma/migrations/.keep": "", "drizzle/.keep": "" });
    expect(await p.cli(["new", "add_status", "-d", "orders"])).toMatchObject({
      code: 1, stdout: "",
      stderr: "error: database orders uses the prisma engine, whose migration folders Prisma Migrate writes from the schema (migration.sql and migration_lock.toml); stagecraft does not create them\n  hint: run `prisma migrate dev --create-only --name add_status` where the schema lives, then `stagecraft migrate --plan`\n",
    });
    expect((await p.cli(["new", "add_status", "-d", "catalog"])).stderr).toBe(
      "error: database catalog uses the drizzle engine, whose migration folders drizzle-kit writes from the schema, with its journal; stagecraft does not create them\n  hint: run `drizzle-kit generate --name add_status` (or `drizzle-kit generate --custom --name add_status` for hand-written SQL) where the schema lives, then `stagecraft migrate --plan`\n",
    );
    expect(p.list("prisma/migrations")).toEqual([".keep"]);
    expect(p.list("drizzle")).toEqual([".keep"]);
  });

  it("a fleet entry gets the file in its members' shared folder; an unknown database or empty name is exit 1", async () => {
    const p = tempProject();
    cleanups.push(p.cleanup);
    p.write("tm/001_init.sql", "CREATE TABLE t (id INT);\n");
    p.write("stagecraft.yml", stringify({ databases: { tenants: { fleet: { list: ["t1", "t2"], url: "sqlite:./{{name}}.db" }, migrations: { engine: "raw", path: "./tm" } } } }));
    const made = await runCli(["new", "add_plan", "-d", "tenants"], p.dir);
    expect(made).toMatchObject({ code: 0, stdout: "created tm/002_add_plan.sql\n" });
    expect((await runCli(["new", "x", "-d", "nope"], p.dir)).code).toBe(1);
    expect(await runCli(["new", "!!", "-d", "tenants"], p.dir)).toMatchObject({ code: 1, stderr: "error: migration name \"!!\" has no letters or digits\n  hint: name the migration after what it does, e.g. add_email_index\n" });
  });
});
