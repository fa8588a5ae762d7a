import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProjectPerTest } from "../helpers/project.js";

// The command runs from a bundle (dist/cli, scripts/bundle.mjs), and its worker threads from
// another (dist/worker), while a plugin imports the package (dist/src): two copies of
// stagecraft's modules in one thread. They must share the
// engine registry and recognise each other's errors.

const PLUGIN = fileURLToPath(new URL("../fixtures/plugins/typed-errors.mjs", import.meta.url));
const newProject = tempProjectPerTest();

function project() {
  const p = newProject();
  p.write("m/.keep", "");
  p.write("stagecraft.yml", stringify({ plugins: [PLUGIN], databases: { main: { connection_env: "DB", migrations: { engine: "typed-errors", path: "./m" } } } }));
  return p;
}

describe("the bundled command and a plugin that imports the package", () => {
  it("the launcher runs the bundle", () => {
    expect(readFileSync(fileURLToPath(new URL("../../bin/stagecraft.js", import.meta.url)), "utf8")).toContain('import "../dist/cli/main.js"');
  });

  it("finds the plugin's engine, and its StagecraftError keeps its kind, in the command's thread and in a worker", async () => {
    const p = project();
    const plan = await runCli(["migrate", "--plan", "--json"], p.dir, { DB: "sqlite:./main.db" });
    const planned = JSON.parse(plan.stdout).databases[0];
    expect(planned.error).toMatchObject({ kind: "checksum_mismatch", migration: "001_x", hint: "typed hint" });
    expect(plan.code).toBe(2);
    const run = await runCli(["migrate", "--json"], p.dir, { DB: "sqlite:./main.db" });
    expect(JSON.parse(run.stdout).databases[0].error).toMatchObject({ kind: "checksum_mismatch", migration: "001_x" });
  });

  it("lists the plugin's engine beside the built-in ones", async () => {
    const p = project();
    const result = await runCli(["engines", "--config", "stagecraft.yml"], p.dir);
    expect(result.stdout).toContain("typed-errors");
    expect(result.stdout).toContain("raw");
  });
});
