import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempProject } from "../helpers/project.js";
import { parseConfig } from "../helpers/stagecraft.js";

describe("ledger: and rollout: in stagecraft.yml", () => {
  const project = tempProject();
  project.write("migrations/001_a.sql", "CREATE TABLE a (id INT);\n");
  const file = `${project.dir}/stagecraft.yml`;
  afterAll(() => project.cleanup());
  const DATABASES = "databases:\n  main:\n    connection_env: MAIN_URL\n    migrations: { engine: raw, path: ./migrations }\n";

  it("fills defaults: table prefix stagecraft_, each wave's stop rule from the section (any failure without one)", async () => {
    const config = await parseConfig(`ledger: { connection_env: LEDGER_URL }
rollout:
  max_failed_percent: 5
  waves:
    - { name: canary, tags: [canary] }
    - { name: early, percent: 10, stop_on: any_failure }
    - { name: rest, percent: 100 }
${DATABASES}`, file);
    expect(config.ledger).toEqual({ connectionEnv: "LEDGER_URL", tablePrefix: "stagecraft_" });
    expect(config.rollout).toEqual({ waves: [
      { name: "canary", tags: ["canary"], stop: { kind: "max_failed_percent", percent: 5 } },
      { name: "early", percent: 10, stop: { kind: "any_failure" } },
      { name: "rest", percent: 100, stop: { kind: "max_failed_percent", percent: 5 } },
    ] });
    const plain = await parseConfig(`rollout: { waves: [{ name: all, percent: 100 }] }\n${DATABASES}`, file);
    expect(plain.rollout?.waves[0]?.stop).toEqual({ kind: "any_failure" });
    expect(plain.ledger).toBeUndefined();
  });

  it("reports each mistake with its path and line", async () => {
    const message = await parseConfig(`ledger: { connection_env: 9LEDGER, table_prefix: "my-prefix", url: x }
rollout:
  stop_on: every_failure
  waves:
    - { name: canary, tags: [canary], percent: 5 }
    - { name: canary, percent: 0 }
${DATABASES}`, file).catch((error: Error) => error.message);
    expect(message).toContain(`${file}:1:1: ledger: unknown key "url"`);
    expect(message).toContain("ledger.connection_env: must be a valid environment variable name (letters, digits and _, not starting with a digit)");
    expect(message).toContain("ledger.table_prefix: must be letters, digits and _ (at most 31), not starting with a digit");
    expect(message).toContain("rollout.stop_on: must be any_failure (or use max_failed_percent: N)");
    expect(message).toContain("rollout.waves.1.percent: must be more than 0 of the databases no earlier wave took");
  });

  it("refuses a wave with both tags and percent, and duplicate wave names", async () => {
    const both = await parseConfig(`rollout: { waves: [{ name: a, tags: [x], percent: 5 }] }\n${DATABASES}`, file).catch((error: Error) => error.message);
    expect(both).toContain("rollout.waves.0: a wave takes either tags: [...] or percent: N (one of them)");
    const twice = await parseConfig(`rollout: { waves: [{ name: a, percent: 5 }, { name: a, percent: 100 }] }\n${DATABASES}`, file).catch((error: Error) => error.message);
    expect(twice).toContain("rollout: wave names must be unique");
  });

  it("are in the JSON Schema editors read", () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL("../../dist/stagecraft.schema.json", import.meta.url)), "utf8"));
    expect(schema.properties.ledger.required).toEqual(["connection_env"]);
    expect(Object.keys(schema.properties.ledger.properties)).toEqual(["connection_env", "table_prefix"]);
    expect(Object.keys(schema.properties.rollout.properties.waves.items.properties)).toEqual(["name", "tags", "percent", "stop_on", "max_failed_percent"]);
  });
});
