import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, Registry, loadConfig, parseConfig, type Engine } from "../helpers/stagecraft.js";
import { tempProject } from "../helpers/project.js";
import { z } from "zod";

const projects: ReturnType<typeof tempProject>[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

function project(yaml: string, folders: string[] = ["migrations"]) {
  const p = tempProject();
  projects.push(p);
  for (const folder of folders) p.write(`${folder}/.keep`, "");
  const file = p.write("stagecraft.yml", yaml);
  return { ...p, file };
}

async function problems(yaml: string, options: Parameters<typeof loadConfig>[1] = {}, folders?: string[]): Promise<string> {
  const p = project(yaml, folders);
  try {
    await loadConfig(p.file, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.replaceAll(p.dir, "<dir>");
  }
  throw new Error("expected the config to be rejected");
}

describe("loadConfig", () => {
  it("loads a full config, fills defaults and leaves other sections alone", async () => {
    const p = project(`
project: { name: shop }
backend: { kind: whatever }
databases:
  main:
    connection_env: DATABASE_URL
    migrations:
      engine: raw
      path: ./migrations
  audit:
    connection_env: AUDIT_URL
    migrations: { engine: raw, path: migrations, strategy: manual, table: audit_log, lock_timeout_ms: 500 }
`);
    const config = await loadConfig(p.file);
    expect(config.file).toBe(p.file);
    expect(config.databases.map((d) => d.name)).toEqual(["audit", "main"]);
    expect(config.databases[1]).toEqual({
      name: "main",
      connectionEnv: "DATABASE_URL",
      engine: "raw",
      migrationPath: `${p.dir}/migrations`,
      strategy: "pre_deploy",
      lockTimeoutMs: 30000,
      connectTimeoutMs: 10000,
      stallTimeoutMs: 30000,
      engineConfig: { table: "stagecraft_migrations", transaction_mode: "per-migration", allow_out_of_order: true, allow_changed: false, allow_missing: false },
      tags: [],
    });
    expect(config.databases[0]).toMatchObject({ strategy: "manual", lockTimeoutMs: 500, engineConfig: { table: "audit_log" } });
  });

  it("reports a missing file", async () => {
    await expect(loadConfig("/nonexistent/stagecraft.yml")).rejects.toThrow(
      "invalid config (1 problem):\n/nonexistent/stagecraft.yml: config file not found\n  hint: pass --config PATH, or create stagecraft.yml in this folder",
    );
  });

  it("reports invalid YAML with its line", async () => {
    expect(await problems("databases:\n  main: [unclosed\n")).toMatch(/^invalid config \(1 problem\):\n<dir>\/stagecraft\.yml:\d+:\d+: invalid YAML: /);
  });

  it("reports an unknown engine with file, line, path and the available engines", async () => {
    expect(await problems(`databases:
  main:
    connection_env: DATABASE_URL
    migrations:
      engine: foo
      path: ./migrations
`)).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:5:15: databases.main.migrations.engine: unknown migration engine "foo" for database main; available engines: [drizzle, knex, prisma, raw]
  hint: use one of the available engines, or list the module that registers it under \`plugins:\``);
  });

  it("reports every problem at once: missing path folder, bad type, bad env var name, unknown engine key", async () => {
    expect(await problems(`databases:
  main:
    connection_env: 1DATABASE
    migrations:
      engine: raw
      path: ./nope
      lock_timeout_ms: soon
      tabel: x
`)).toBe(`invalid config (4 problems):
<dir>/stagecraft.yml:3:21: databases.main.connection_env: must be a valid environment variable name (letters, digits and _, not starting with a digit)
<dir>/stagecraft.yml:7:24: databases.main.migrations.lock_timeout_ms: must be a number of milliseconds
<dir>/stagecraft.yml:4:5: databases.main.migrations: unknown key "tabel" (engine raw)
<dir>/stagecraft.yml:6:13: databases.main.migrations.path: migrations folder <dir>/nope does not exist
  hint: create the folder, or fix the path (it is relative to the config file)`);
  });

  it("reports missing required keys at their parent", async () => {
    expect(await problems(`databases:
  main:
    migrations:
      path: ./migrations
`)).toBe(`invalid config (2 problems):
<dir>/stagecraft.yml:2:3: databases.main.connection_env: is required: the name of the environment variable that holds the connection URL
<dir>/stagecraft.yml:3:5: databases.main.migrations.engine: is required: the ID of a registered migration engine`);
  });

  it("reports every repeated key at its repetition, in linear time for huge configs", async () => {
    expect(await problems("databases:\n  main: {}\n  other:\n    x: 1\n    x: 2\n  main: {}\n")).toBe(`invalid config (2 problems):
<dir>/stagecraft.yml:5:5: invalid YAML: Map keys must be unique ("x" appears more than once)
<dir>/stagecraft.yml:6:3: invalid YAML: Map keys must be unique ("main" appears more than once)`);
  });

  it("requires a databases map", async () => {
    expect(await problems("project: x\n")).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:1:1: databases: is required: a map of database names to their settings`);
    expect(await problems("- a\n- b\n")).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:1:1: the config must be a YAML mapping with a \`databases:\` section
  hint: see the configuration reference (docs/configuration.md)`);
  });

  it("interpolates ${VAR} in migration values and reports unset variables", async () => {
    const yaml = `databases:
  main:
    connection_env: DATABASE_URL
    migrations: { engine: raw, path: "./\${MIG_DIR}", table: "\${TABLE}_log" }
`;
    const p = project(yaml, ["migs"]);
    const config = await loadConfig(p.file, { env: { MIG_DIR: "migs", TABLE: "audit" } });
    expect(config.databases[0]).toMatchObject({ migrationPath: `${p.dir}/migs`, engineConfig: { table: "audit_log" } });
    expect(await problems(yaml, { env: {} }, ["migs"])).toBe(`invalid config (2 problems):
<dir>/stagecraft.yml:4:38: databases.main.migrations.path: environment variable MIG_DIR is not set (used as \${MIG_DIR})
  hint: set MIG_DIR, or write $\${MIG_DIR} for a literal \${MIG_DIR}
<dir>/stagecraft.yml:4:61: databases.main.migrations.table: environment variable TABLE is not set (used as \${TABLE})
  hint: set TABLE, or write $\${TABLE} for a literal \${TABLE}`);
  });

  it("applies environment overrides and rejects an unknown environment", async () => {
    const yaml = `databases:
  main:
    connection_env: DATABASE_URL
    migrations: { engine: raw, path: ./migrations }
environments:
  staging:
    databases:
      main:
        connection_env: STAGING_URL
        migrations: { strategy: post_deploy }
`;
    const p = project(yaml);
    const config = await loadConfig(p.file, { environment: "staging" });
    expect(config.databases[0]).toMatchObject({ connectionEnv: "STAGING_URL", strategy: "post_deploy", engine: "raw" });
    expect(config.environment).toBe("staging");
    const overridden = yaml.replace("migrations: { strategy: post_deploy }", "migrations: { strategy: sometimes }");
    expect(await problems(overridden, { environment: "staging" })).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:10:33: environments.staging.databases.main.migrations.strategy: must be one of pre_deploy, post_deploy, manual`);
    expect(await problems(yaml, { environment: "prod" })).toBe(`invalid config (1 problem):
<dir>/stagecraft.yml:5:1: environments: environment "prod" is not defined; defined environments: [staging]
  hint: add environments.prod to the config, or pick a defined one`);
  });

  it("validates engine keys with the engine's own schema, against the given registry", async () => {
    const registry = new Registry();
    const custom: Engine = {
      id: "custom",
      configSchema: z.strictObject({ retries: z.number().int().default(3) }),
      plan: async () => [],
      run: async () => ({ applied: [] }),
    };
    registry.register(custom);
    const p = project(`databases:
  main:
    connection_env: DATABASE_URL
    migrations: { engine: custom, path: ./migrations }
`);
    expect((await loadConfig(p.file, { registry })).databases[0]?.engineConfig).toEqual({ retries: 3 });
    const bad = await parseConfig("databases:\n  main:\n    connection_env: X\n    migrations: { engine: custom, path: ., retries: many }\n", p.file, { registry }).catch((e: Error) => e.message);
    expect(bad).toContain("databases.main.migrations.retries: Invalid input: expected number, received string (engine custom)");
  });

  it("imports plugins before checking engine ids, and reports a plugin that fails to import", async () => {
    const p = project(`plugins: [./plugin.mjs, ./missing.mjs]
databases:
  main:
    connection_env: DATABASE_URL
    migrations: { engine: from-plugin, path: ./migrations }
`);
    p.write("plugin.mjs", `export default { id: "from-plugin", plan: async () => [], run: async () => ({ applied: [] }) };`);
    const registry = new Registry();
    const message = await loadConfig(p.file, { registry }).catch((e: Error) => e.message.replaceAll(p.dir, "<dir>"));
    expect(message).toMatch(/^invalid config \(1 problem\):\n<dir>\/stagecraft\.yml:1:25: plugins\.1: cannot import plugin <dir>\/missing\.mjs: Cannot find module 'file:\/\/<dir>\/missing\.mjs'\n  hint: fix the module, or remove it from `plugins:`$/);
    expect(registry.has("from-plugin")).toBe(true);
  });
});
