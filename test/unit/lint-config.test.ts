import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, Registry } from "../helpers/stagecraft.js";
import { tempProject } from "../helpers/project.js";
import { DIALECT_TRAITS } from "../../dist/src/drivers/dialect-traits.js";
import { openDriver } from "../../dist/src/drivers/open-driver.js";
import { RULE_IDS } from "../../dist/src/lint/rule-ids.js";
import { DEFAULT_SEVERITY, OTHER_RULES, STATEMENT_RULES } from "../../dist/src/lint/rules/index.js";

const projects: ReturnType<typeof tempProject>[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

function project(lint: string): string {
  const p = tempProject();
  projects.push(p);
  p.write("m/.keep", "");
  return p.write("stagecraft.yml", `databases:\n  main:\n    connection_env: MAIN_URL\n    migrations: { engine: raw, path: ./m }\n${lint}`);
}

describe("the lint: config section", () => {
  it("sets a severity per rule", async () => {
    const config = await loadConfig(project("lint:\n  rules:\n    drop-table: error\n    rename-column: off\n"), { env: {} });
    expect(config.lint).toEqual({ rules: { "drop-table": "error", "rename-column": "off" } });
    expect((await loadConfig(project(""), { env: {} })).lint).toBeUndefined();
  });

  it("reports an unknown rule with the list of rules, a bad severity and an unknown key, each with its line", async () => {
    const file = project("lint:\n  rules:\n    drop-tables: off\n    truncate: never\n  colour: red\n");
    const error = await loadConfig(file, { env: {} }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe([
      "invalid config (3 problems):",
      `${file}:7:18: lint.rules.drop-tables: unknown lint rule "drop-tables"; rules: ${RULE_IDS.join(", ")}`,
      `${file}:8:15: lint.rules.truncate: must be one of error, warning, off`,
      `${file}:5:1: lint: unknown key "colour"`,
    ].join("\n"));
  });

  it("is in the JSON Schema, with the rule IDs as the only keys", () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL("../../dist/stagecraft.schema.json", import.meta.url)), "utf8"));
    const rules = schema.properties.lint.properties.rules;
    expect(rules.propertyNames.enum).toEqual([...RULE_IDS]);
    expect(rules.additionalProperties.enum).toEqual(["error", "warning", "off"]);
    expect(schema.properties.lint.additionalProperties).toBe(false);
  });
});

describe("lint rule catalogue", () => {
  it("every rule ID has exactly one rule", () => {
    const ids = [...STATEMENT_RULES, ...OTHER_RULES].map((r) => r.id);
    expect([...ids].sort()).toEqual([...RULE_IDS].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(DEFAULT_SEVERITY).sort()).toEqual([...RULE_IDS].sort());
  });
});

describe("engines' sources at the door", () => {
  it("register() refuses a sources that is not a function", () => {
    const registry = new Registry();
    const engine = { id: "x", plan: async () => [], run: async () => ({ applied: [] }), sources: "nope" };
    expect(() => registry.register(engine as never)).toThrow('engine "x": sources must be a function when present');
  });
});

describe("DIALECT_TRAITS", () => {
  it("match the SQLite driver's own flags (server drivers: test/integration/lint-engines.test.ts)", async () => {
    const driver = await openDriver({ url: "sqlite::memory:", workDir: "/tmp", connectionEnv: "X" });
    try {
      expect({ transactionalDdl: driver.transactionalDdl, syntax: driver.syntax }).toEqual(DIALECT_TRAITS.sqlite);
    } finally {
      await driver.close();
    }
  });
});
