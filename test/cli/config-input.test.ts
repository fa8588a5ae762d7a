import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function project(yaml: string) {
  const p = tempProject();
  cleanups.push(p.cleanup);
  p.write("m/001_a.sql", "CREATE TABLE a (id INT);\n");
  p.write("stagecraft.yml", yaml);
  return p;
}

describe("config input", () => {
  it("${VAR} works for numbers and booleans: converted where the schema wants one, a clear error when it is not one", async () => {
    const p = project("databases:\n  a:\n    connection_env: A_URL\n    migrations:\n      engine: raw\n      path: ./m\n      lock_timeout_ms: ${LOCK_MS}\n      allow_changed: ${CHANGED}\n");
    const ok = await runCli(["migrate", "--json"], p.dir, { A_URL: "sqlite:./a.db", LOCK_MS: "2500", CHANGED: "true" });
    expect(ok.code).toBe(0);
    const bad = await runCli(["validate"], p.dir, { A_URL: "sqlite:./a.db", LOCK_MS: "2.5s", CHANGED: "maybe" });
    expect(bad).toMatchObject({ code: 1, stdout: "" });
    expect(bad.stderr).toBe(`invalid config (2 problems):
${p.dir}/stagecraft.yml:7:24: databases.a.migrations.lock_timeout_ms: must be a number of milliseconds: \${LOCK_MS} is "2.5s", not a number
${p.dir}/stagecraft.yml:8:22: databases.a.migrations.allow_changed: Invalid input: expected boolean, received string: \${CHANGED} is "maybe", not true or false
`);
    // A number written around other text stays text: only a whole placeholder converts.
    const mixed = project("databases:\n  a:\n    connection_env: A_URL\n    migrations:\n      engine: raw\n      path: ./m\n      lock_timeout_ms: 1${LOCK_MS}\n");
    expect((await runCli(["validate"], mixed.dir, { A_URL: "sqlite:./a.db", LOCK_MS: "000" })).stderr).toContain("databases.a.migrations.lock_timeout_ms: must be a number of milliseconds\n");
  });

  it("unknown database-level keys are reported with the key they most likely meant", async () => {
    const p = project("databases:\n  a:\n    connection: A_URL\n    migration:\n      engine: raw\n      path: ./m\n    tagz: [eu]\n");
    const result = await runCli(["migrate", "--plan"], p.dir);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toContain(`${p.dir}/stagecraft.yml:3:17: databases.a.connection: unknown key "connection" (did you mean "connection_env"?)`);
    expect(result.stderr).toContain(`${p.dir}/stagecraft.yml:4:5: databases.a.migration: unknown key "migration" (did you mean "migrations"?)`);
    expect(result.stderr).toContain(`databases.a.tagz: unknown key "tagz" (did you mean "tags"?)`);
    expect(result.stderr).toContain("  hint: a database takes connection_env, migrations, tags; a fleet entry takes fleet, migrations, tags");
  });
});
