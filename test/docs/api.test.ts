import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const API = readFileSync(join(ROOT, "docs/api.md"), "utf8");
mkdirSync(join(ROOT, ".vitest-tmp"), { recursive: true });
const DIR = mkdtempSync(join(ROOT, ".vitest-tmp", "api-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const blocks = (lang: string): string[] => [...API.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

describe("docs/api.md examples", () => {
  it("the kept runner example plans, runs and closes its threads", async () => {
    const example = blocks("ts").find((b) => b.includes("createRunner"))!;
    writeFileSync(join(DIR, "stagecraft.yml"), stringify({ databases: { main: { connection_env: "API_DOC_DB", migrations: { engine: "raw", path: "./migrations" } } } }));
    mkdirSync(join(DIR, "migrations"));
    writeFileSync(join(DIR, "migrations", "001_init.sql"), "CREATE TABLE t (id INT);\n");
    // The example as a module of its own: `stagecraft` is this package, the config is the one above.
    const module = [
      "export let report: unknown;",
      "export async function main(): Promise<void> {",
      example
        .replace('import { createRunner } from "stagecraft";', "")
        .replaceAll('"stagecraft.yml"', JSON.stringify(join(DIR, "stagecraft.yml")))
        .replace("const report =", "report ="),
      "}",
    ].join("\n");
    writeFileSync(join(DIR, "example.ts"), `import { createRunner } from "${join(ROOT, "dist/src/index.js")}";\n${module}`);
    process.env.API_DOC_DB = `sqlite:${join(DIR, "main.db")}`;
    const loaded = (await import(join(DIR, "example.ts"))) as { main: () => Promise<void>; report: { summary: { succeeded: number }; databases: { applied: string[] }[] } };
    await loaded.main();
    expect(loaded.report.summary.succeeded).toBe(1);
    expect(loaded.report.databases[0]?.applied).toEqual(["001_init"]);
    delete process.env.API_DOC_DB;
  });
});
