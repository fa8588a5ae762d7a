import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { loadConfig } from "../helpers/stagecraft.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PAGE = readFileSync(join(ROOT, "docs/fleets.md"), "utf8");
mkdirSync(join(ROOT, ".vitest-tmp"), { recursive: true });
const DIR = mkdtempSync(join(ROOT, ".vitest-tmp", "fleets-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** The fenced code blocks of a language, in page order. */
const blocks = (lang: string): string[] => [...PAGE.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

describe("docs/fleets.md", () => {
  it("the complete example expands as the page says, and validate prints what the page shows", async () => {
    writeFileSync(join(DIR, "stagecraft.yml"), blocks("yaml")[0]!);
    // A migration in each folder: validate warns about an empty one, which the page does not show.
    for (const folder of ["tenant-migrations", "billing"]) {
      mkdirSync(join(DIR, folder));
      writeFileSync(join(DIR, folder, "001_init.sql"), "CREATE TABLE t (id int);\n");
    }
    const catalog = new Database(join(DIR, "catalog.db"));
    catalog.exec("CREATE TABLE tenants (slug TEXT, region TEXT, tier INT, active INT); INSERT INTO tenants VALUES ('acme', 'eu', 1, 1), ('globex', 'us', 2, 1), ('initech', 'eu', 1, 0);");
    catalog.close();
    const env = { CATALOG_URL: "sqlite:./catalog.db", TENANT_DB_PASSWORD: "pw", BILLING_URL: "sqlite::memory:" };
    const config = await loadConfig(join(DIR, "stagecraft.yml"), { env });
    expect(config.databases.map((db) => [db.name, db.tags])).toEqual([["billing", ["canary"]], ["tenant_acme", ["eu", "tenant", "tier-1"]], ["tenant_globex", ["tenant", "tier-2", "us"]]]);
    expect(config.databases[1]?.url).toBe("postgres://app:pw@db:5432/t_acme");
    const at = PAGE.indexOf("/srv/app/stagecraft.yml: valid, 3 databases");
    const shown = PAGE.slice(at, PAGE.indexOf("```", at));
    const validate = await runCli(["validate"], DIR, env);
    expect(validate.stdout.replaceAll(DIR, "/srv/app")).toBe(shown);
  });
});
