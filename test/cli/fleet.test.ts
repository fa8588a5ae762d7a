import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/tenants", import.meta.url));
/** Members of the glob fleet: more than the text output shows in full. */
const SHARDS = 60;

describe("stagecraft CLI with a fleet", () => {
  const project = tempProject();
  beforeAll(() => {
    project.write("migrations/001_a.sql", "CREATE TABLE a (id INT);\n");
    project.write("migrations/002_b.sql", "CREATE TABLE b (id INT);\n");
    for (let i = 1; i <= SHARDS; i++) project.write(`shards/shard_${String(i).padStart(3, "0")}.db`, "");
    // Two members whose file is not a SQLite database: their plan fails.
    project.write("shards/shard_058.db", "not a database, just text long enough to have a header".repeat(4));
    project.write("shards/shard_059.db", "not a database, just text long enough to have a header".repeat(4));
    project.write("stagecraft.yml", stringify({
      databases: {
        shards: { fleet: { glob: "./shards/*.db", tags: ["{{name}}"] }, tags: ["shard"], migrations: { engine: "raw", path: "./migrations" } },
        tenants: { fleet: { list: [{ name: "acme", region: "eu" }, { name: "globex", region: "us" }], name: "tenant_{{name}}", url: "sqlite:./tenants/{{name}}.db", tags: ["{{region}}"] }, migrations: { engine: "raw", path: "./migrations" } },
        billing: { connection_env: "BILLING_URL", tags: ["canary", "eu"], migrations: { engine: "raw", path: "./migrations" } },
      },
    }));
  });
  afterAll(() => project.cleanup());
  const cli = (...args: string[]) => runCli(args, project.dir, { BILLING_URL: "sqlite:./billing.db" });

  it("validate prints how many members each entry expanded to; --json and --verbose list them", async () => {
    const text = await cli("validate");
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`${project.dir}/stagecraft.yml: valid, 63 databases (62 fleet members)
  billing: raw, pre_deploy [canary, eu]
  shards: fleet (glob), expanded to 60 members — raw, pre_deploy
    shard_001 [shard, shard_001]
    shard_002 [shard, shard_002]
    shard_003 [shard, shard_003]
    shard_004 [shard, shard_004]
    shard_005 [shard, shard_005]
    … and 55 more (--verbose or --json lists them)
  tenants: fleet (list), expanded to 2 members — raw, pre_deploy
    tenant_acme [eu]
    tenant_globex [us]
`);
    const json = JSON.parse((await cli("validate", "--json")).stdout);
    expect(json.fleets).toEqual([{ entry: "shards", source: "glob", members: 60 }, { entry: "tenants", source: "list", members: 2 }]);
    expect(json.databases).toHaveLength(63);
    expect(json.databases.find((d: { name: string }) => d.name === "tenant_acme")).toEqual({ name: "tenant_acme", engine: "raw", strategy: "pre_deploy", tags: ["eu"], fleet: "tenants", url: "sqlite:./tenants/acme.db", attributes: { region: "eu" } });
    expect(json.databases.find((d: { name: string }) => d.name === "billing")).toEqual({ name: "billing", engine: "raw", strategy: "pre_deploy", tags: ["canary", "eu"], connection_env: "BILLING_URL", connection_env_set: true });
    const verbose = (await cli("validate", "-v")).stdout;
    expect(verbose).toContain(`    shard_060 [shard, shard_060]  sqlite:${project.dir}/shards/shard_060.db\n`);
    expect((await cli("validate", "-d", "tenants", "--json")).stdout).toContain('"tenant_globex"');
  });

  it("selects with glob patterns, fleet entries, tags (AND, OR) and --exclude", async () => {
    const selected = async (...args: string[]) => JSON.parse((await cli("migrate", "--plan", "--json", ...args)).stdout).databases.map((d: { name: string }) => d.name);
    expect(await selected("-d", "shard_00*")).toEqual(["shard_001", "shard_002", "shard_003", "shard_004", "shard_005", "shard_006", "shard_007", "shard_008", "shard_009"]);
    expect(await selected("-d", "tenants", "-d", "billing")).toEqual(["billing", "tenant_acme", "tenant_globex"]);
    expect(await selected("--tag", "eu")).toEqual(["billing", "tenant_acme"]);
    expect(await selected("--tag", "eu", "--tag", "canary")).toEqual(["billing"]);
    expect(await selected("--tag", "us,canary")).toEqual(["billing", "tenant_globex"]);
    expect(await selected("--tag", "shard", "--exclude", "shard_0[0-4]?", "--exclude", "shard_05*")).toEqual(["shard_060"]);
  });

  it("a pattern or tag that matches nothing exits 1 and says so without listing every name", async () => {
    const none = await cli("migrate", "--plan", "-d", "tenant_z*", "--tag", "mars");
    expect(none.code).toBe(1);
    expect(none.stdout).toBe("");
    expect(none.stderr).toBe(`invalid selection (2 problems) in ${project.dir}/stagecraft.yml:
  pattern "tenant_z*" matches no database; 63 databases are defined, among them the fleets shards (60 members), tenants (2 members)
  no database has the tag "mars"; tags in use: [canary, eu, shard, shard_001, shard_002, shard_003, shard_004, shard_005, shard_006, shard_007, shard_008, shard_009, shard_010, shard_011, shard_012, shard_013, shard_014, shard_015, shard_016, shard_017, … 44 more]
`);
    expect((await cli("validate", "--exclude", "nobody")).code).toBe(1);
  });

  it("text output of a large plan: counts, the failures in full, the first 20 others; --verbose and --json give all", async () => {
    const plan = await cli("migrate", "--plan");
    expect(plan.code).toBe(2);
    const lines = plan.stdout.split("\n");
    expect(lines.filter((line) => line.startsWith("  error [")).map((line) => line.replace(/: .*/, ""))).toEqual(["  error [internal] database shard_058", "  error [internal] database shard_059"]);
    expect(lines.filter((line) => /^(billing|shard_|tenant_)\S* \(raw\)  3? ?/.test(line))).toHaveLength(22);
    expect(plan.stdout).toContain("billing (raw)  2 pending\nshard_001 (raw)  2 pending\n");
    expect(plan.stdout).toContain("\n… and 41 more: 0 up to date, 41 with pending migrations (--verbose or --json for all)\n");
    expect(plan.stdout).toContain("\npending migrations:\n  001_a  pending on 61 databases\n  002_b  pending on 61 databases\n");
    expect(lines.at(-2)).toBe("63 databases, 61 planned, 2 failed");
    const verbose = await cli("migrate", "--plan", "-v");
    expect(verbose.stdout.match(/ \(raw\) {2}/g)).toHaveLength(63);
    expect(verbose.stdout).not.toContain("… and");

    const run = await cli("migrate", "--exclude", "shard_05[89]");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("✓ billing: 2 applied (001_a, 002_b)\n");
    expect(run.stdout).toContain("\n… and 41 more: 41 succeeded (--verbose or --json for all)\n");
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("61 databases, 61 succeeded, 122 migrations were run");
  });

  it("a fleet config error exits 1 naming the entry and the row", async () => {
    const broken = project.write("broken.yml", stringify({ databases: { tenants: { fleet: { list: ["a", "b"], url: "sqlite:./{{name}}-{{region}}.db" }, migrations: { engine: "raw", path: "./migrations" } } } }));
    const result = await cli("validate", "-c", broken);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`invalid config (2 problems):
${broken}:5:11: databases.tenants.fleet.list.0: fleet tenants: item 1 (a): fleet.url uses {{region}}, which this item does not have (it has: name)
  hint: add the field to every row, or change the template
${broken}:6:11: databases.tenants.fleet.list.1: fleet tenants: item 2 (b): fleet.url uses {{region}}, which this item does not have (it has: name)
  hint: add the field to every row, or change the template
`);
  });
});

describe("examples/tenants", () => {
  it("a catalog of 50 tenants expands, selects and migrates as its demo shows", async () => {
    const project = tempProject();
    try {
      cpSync(EXAMPLE, project.dir, { recursive: true, filter: (src) => !src.includes("/data") });
      project.write("data/.keep", "");
      const catalog = new Database(`${project.dir}/data/catalog.db`);
      catalog.exec(readFileSync(`${project.dir}/catalog.sql`, "utf8"));
      catalog.close();
      const cli = (...args: string[]) => runCli(args, project.dir);
      expect((await cli("validate")).stdout).toContain("valid, 51 databases (50 fleet members)\n  billing: raw, pre_deploy [canary]\n  tenants: fleet (query), expanded to 50 members");
      const eu = JSON.parse((await cli("migrate", "--json", "--tag", "eu", "--tag", "tier-enterprise")).stdout);
      expect(eu.databases.map((d: { name: string; applied: string[] }) => [d.name, d.applied.length])).toEqual([["tenant_015", 3], ["tenant_030", 3], ["tenant_045", 3]]);
      const all = await cli("migrate");
      expect(all.code).toBe(0);
      expect(all.stdout.trimEnd().split("\n").at(-1)).toBe("51 databases, 51 succeeded, 142 migrations were run");
      writeFileSync(`${project.dir}/tenant-migrations/004_noop.sql`, "SELECT 1;\n");
      expect((await cli("migrate", "--plan", "-d", "tenant_00*")).stdout.trimEnd().split("\n").at(-1)).toBe("9 databases, 9 planned");
    } finally {
      project.cleanup();
    }
  }, 120_000);
});
