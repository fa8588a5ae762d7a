import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProjectPerTest } from "../helpers/project.js";

const newProject = tempProjectPerTest();

/** One SQLite database per strategy (two pre-deploy), each with one migration. */
function project() {
  const p = newProject();
  p.write("m/001_init.sql", "CREATE TABLE t (id INT);\n");
  const database = (strategy?: string) => ({ connection_env: "DB", migrations: { engine: "raw", path: "./m", ...(strategy ? { strategy } : {}) } });
  // One SQLite file per database, each from its own variable.
  const yml = stringify({
    databases: {
      accounts: { ...database(), connection_env: "ACCOUNTS" }, billing: { ...database("pre_deploy"), connection_env: "BILLING" },
      cleanup: { ...database("post_deploy"), connection_env: "CLEANUP" }, backfill: { ...database("manual"), connection_env: "BACKFILL" },
    },
  });
  p.write("stagecraft.yml", yml);
  const env = { ACCOUNTS: "sqlite:./accounts.db", BILLING: "sqlite:./billing.db", CLEANUP: "sqlite:./cleanup.db", BACKFILL: "sqlite:./backfill.db" };
  const cli = (args: string[]) => runCli(args, p.dir, env);
  const names = async (args: string[]): Promise<string[]> => {
    const result = await cli([...args, "--json"]);
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as { databases: { name: string; applied: string[] }[] }).databases.map((db) => db.name);
  };
  return { ...p, cli, names };
}

describe("--strategy", () => {
  it("plain migrate runs the pre-deploy phase only, and says which post_deploy databases it left out", async () => {
    const p = project();
    const run = await p.cli(["migrate"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("✓ accounts: 1 applied (001_init)\n✓ billing: 1 applied (001_init)\n\n2 databases, 2 succeeded, 2 migrations were run");
    expect(run.stderr).toContain("note: 1 post_deploy database left out (cleanup): run `stagecraft migrate --strategy post_deploy` after the new code is deployed\n");
    expect(await p.names(["migrate", "--plan"])).toEqual(["accounts", "billing"]);
    // --json keeps stderr free of the note, stdout free of anything but the report.
    expect((await p.cli(["migrate", "--plan", "--json"])).stderr).toBe("");
  });

  it("--strategy post_deploy runs the second phase; manual runs only when asked; repeatable or a comma list", async () => {
    const p = project();
    expect(await p.names(["migrate", "--strategy", "post_deploy"])).toEqual(["cleanup"]);
    expect(await p.names(["migrate", "--plan", "--strategy", "manual"])).toEqual(["backfill"]);
    expect(await p.names(["migrate", "--plan", "--strategy", "pre_deploy", "--strategy", "manual"])).toEqual(["accounts", "backfill", "billing"]);
    expect(await p.names(["migrate", "--plan", "--strategy", "pre_deploy,post_deploy"])).toEqual(["accounts", "billing", "cleanup"]);
    const after = await p.cli(["migrate", "--strategy", "post_deploy"]);
    expect(after.stdout).toContain("✓ cleanup: up to date");
    expect(after.stderr).not.toContain("note:");
  });

  it("--database names databases of any strategy; with --strategy both must match", async () => {
    const p = project();
    expect(await p.names(["migrate", "--plan", "-d", "cleanup", "-d", "backfill"])).toEqual(["backfill", "cleanup"]);
    expect(await p.names(["migrate", "--plan", "-d", "*", "--strategy", "post_deploy"])).toEqual(["cleanup"]);
    const empty = await p.cli(["migrate", "--plan", "-d", "accounts", "--strategy", "post_deploy"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("the selection is empty: each filter matches some database, but together they leave none (only databases whose strategy is post_deploy are selected)");
  });

  it("an unknown strategy is exit 1 naming the valid ones", async () => {
    const p = project();
    const result = await p.cli(["migrate", "--strategy", "predeploy"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--strategy must be one of pre_deploy, post_deploy, manual (got \"predeploy\")");
  });
});
