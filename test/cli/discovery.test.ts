import { mkdirSync, rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A repository (`.git`) whose root holds stagecraft.yml and .env, and a nested folder to run from. */
function repository() {
  const p = tempProject();
  cleanups.push(p.cleanup);
  mkdirSync(`${p.dir}/repo/.git`, { recursive: true });
  p.write("repo/db/001_a.sql", "CREATE TABLE a (id INT);\n");
  p.write("repo/stagecraft.yml", stringify({ databases: { app: { connection_env: "APP_URL", migrations: { engine: "raw", path: "./db" } } } }));
  p.write("repo/.env", "APP_URL=sqlite:./app.db\n");
  mkdirSync(`${p.dir}/repo/services/api/src`, { recursive: true });
  return { ...p, root: `${p.dir}/repo`, nested: `${p.dir}/repo/services/api/src` };
}

describe("config discovery", () => {
  it("finds stagecraft.yml in a parent folder, says which on stderr, and keeps --json stdout clean", async () => {
    const r = repository();
    const plan = await runCli(["migrate", "--plan"], r.nested);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toBe("config ../../../stagecraft.yml (found in a parent folder), env file ../../../.env\n");
    expect(plan.stdout.split("\n")[0]).toBe("config ../../../stagecraft.yml (found in a parent folder), env file ../../../.env");
    // Paths in the config stay relative to the config file, not to where the command ran.
    expect(plan.stdout).toContain("app (raw)  1 pending  sqlite:./app.db");
    const json = await runCli(["status", "--json"], r.nested);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout).databases[0]).toMatchObject({ name: "app", target: "sqlite:./app.db" });
    expect((await runCli(["migrate"], r.nested)).code).toBe(0);
    expect((await runCli(["status"], r.root)).code).toBe(0);
    // In the config's own folder nothing is said unless -v asks.
    expect((await runCli(["status"], r.root)).stderr).toBe("");
    expect((await runCli(["status", "-v"], r.root)).stderr).toBe("config stagecraft.yml, env file .env\n");
  });

  it("stops at the repository root: a config above it is never used", async () => {
    const r = repository();
    // A config above the repository (a home folder's, say) and none inside it.
    r.write("stagecraft.yml", stringify({ databases: {} }));
    rmSync(`${r.root}/stagecraft.yml`);
    const result = await runCli(["validate"], r.nested);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe(`invalid config (1 problem):
${r.nested}: no stagecraft.yml found in this folder or its parents up to ${r.root} (the repository root)
  hint: pass --config PATH, set STAGECRAFT_CONFIG, or create stagecraft.yml at the project's root
`);
  });

  it("STAGECRAFT_CONFIG names the file; -c wins over it; both are relative to the current folder", async () => {
    const r = repository();
    r.write("other/stagecraft.yml", stringify({ databases: { other: { connection_env: "OTHER_URL", migrations: { engine: "raw", path: "./m" } } } }));
    r.write("other/m/001_x.sql", "CREATE TABLE x (id INT);\n");
    const env = { OTHER_URL: "sqlite::memory:" };
    const viaEnv = await runCli(["status", "--json"], r.dir, { ...env, STAGECRAFT_CONFIG: "other/stagecraft.yml" });
    expect(viaEnv.code).toBe(4);
    expect(JSON.parse(viaEnv.stdout).databases.map((db: { name: string }) => db.name)).toEqual(["other"]);
    expect(viaEnv.stderr).toBe("config other/stagecraft.yml (from STAGECRAFT_CONFIG), no env file\n");
    const flag = await runCli(["status", "--json", "-c", "repo/stagecraft.yml"], r.dir, { ...env, STAGECRAFT_CONFIG: "other/stagecraft.yml" });
    expect(JSON.parse(flag.stdout).databases.map((db: { name: string }) => db.name)).toEqual(["app"]);
    expect(flag.stderr).toBe("");
    const missing = await runCli(["validate"], r.dir, { STAGECRAFT_CONFIG: "nope.yml" });
    expect(missing).toMatchObject({ code: 1, stderr: `config nope.yml (from STAGECRAFT_CONFIG), no env file\ninvalid config (1 problem):\n${r.dir}/nope.yml: config file not found\n  hint: pass --config PATH, or create stagecraft.yml in this folder\n` });
  });
});
