import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { createDatabase, pgAdmin, serverUp } from "../helpers/servers.js";

const NAMES = ["t_1", "t_2", "t_3", "t_4"];

it("SIGTERM mid-run: the ledger records the finished, the cancelled and a closed run; --only-failed reruns the cancelled", async () => {
  const project = tempProject();
  afterAll(() => project.cleanup());
  project.write("migrations/001_hits.sql", "CREATE TABLE hits (n INT);\n");
  project.write("stagecraft.yml", stringify({
    ledger: { connection_env: "LEDGER_URL", table_prefix: "ops_" },
    databases: { tenants: { fleet: { list: NAMES, url: "sqlite:./dbs/{{name}}.db" }, migrations: { engine: "raw", path: "./migrations" } } },
  }));
  const env = { LEDGER_URL: "sqlite:./ledger.db" };
  mkdirSync(`${project.dir}/dbs`);
  // t_2's write lock is held here: one database at a time, the run waits on t_2 once t_1 is done.
  const holder = new Database(`${project.dir}/dbs/t_2.db`);
  holder.exec("BEGIN IMMEDIATE");
  const run = startCli(["migrate", "--run-label", "term", "--concurrency", "1", "--json"], project.dir, env);
  const status = (name: string): string | undefined => {
    try {
      const ledger = new Database(`${project.dir}/ledger.db`, { readonly: true, fileMustExist: true });
      try {
        return (ledger.prepare("SELECT status FROM ops_run_databases WHERE database_name = ?").get(name) as { status: string } | undefined)?.status;
      } finally {
        ledger.close();
      }
    } catch {
      return undefined;
    }
  };
  while (status("t_1") !== "succeeded") await new Promise((resolve) => setTimeout(resolve, 100));
  const stopping = new Promise<void>((resolve) => run.child.stderr!.on("data", (chunk: Buffer) => void (chunk.toString().includes("stopping:") && resolve())));
  run.child.kill("SIGTERM");
  // Graceful: once the run has taken the signal, the migration under way (t_2, waiting for its lock) finishes when the lock is free.
  await stopping;
  holder.exec("COMMIT");
  holder.close();
  const result = await run.done;
  expect(result.code).toBe(143);

  const shown = JSON.parse((await runCli(["runs", "show", "term", "--json"], project.dir, env)).stdout);
  expect(shown.runs.map((r: { status: string }) => r.status)).toEqual(["cancelled"]);
  const byName = Object.fromEntries(shown.databases.map((db: { name: string; status: string }) => [db.name, db.status]));
  expect(byName.t_1).toBe("succeeded");
  expect(["succeeded", "cancelled"]).toContain(byName.t_2);
  expect([byName.t_3, byName.t_4]).toEqual(["cancelled", "cancelled"]);
  const rerun = await runCli(["migrate", "--only-failed", "term", "--json"], project.dir, env);
  expect(rerun.code).toBe(0);
  expect(JSON.parse(rerun.stdout).databases.map((db: { name: string }) => db.name)).toEqual(NAMES.filter((name) => byName[name] === "cancelled"));
  const after = JSON.parse((await runCli(["runs", "show", "term", "--json"], project.dir, env)).stdout);
  expect(after.counts.succeeded).toBe(4);
  // table_prefix: ops_ names every table.
  const ledger = new Database(`${project.dir}/ledger.db`, { readonly: true });
  expect(ledger.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((row) => (row as { name: string }).name)).toEqual(["ops_ledger_meta", "ops_run_databases", "ops_runs"]);
  ledger.close();
});

it.skipIf(!(await serverUp("postgres")))("a ledger connection lost mid-run is opened again: nothing recorded is lost", async () => {
  const project = tempProject();
  const ledger = await createDatabase("postgres", project.dir);
  try {
    project.write("migrations/001_hits.sql", "CREATE TABLE hits (n INT);\n");
    project.write("stagecraft.yml", stringify({
      ledger: { connection_env: "LEDGER_URL" },
      databases: { tenants: { fleet: { list: NAMES, url: "sqlite:./dbs/{{name}}.db" }, migrations: { engine: "raw", path: "./migrations" } } },
    }));
    const env = { LEDGER_URL: ledger.url };
    mkdirSync(`${project.dir}/dbs`);
    const holder = new Database(`${project.dir}/dbs/t_2.db`);
    holder.exec("BEGIN IMMEDIATE");
    const run = startCli(["migrate", "--run-label", "lost", "--concurrency", "1", "--json"], project.dir, env);
    const status = async (name: string): Promise<string | undefined> => {
      try {
        return (await ledger.query<{ status: string }>("SELECT status FROM stagecraft_run_databases WHERE database_name = $1", [name]))[0]?.status;
      } catch {
        return undefined;
      }
    };
    while ((await status("t_1")) !== "succeeded") await new Promise((resolve) => setTimeout(resolve, 100));
    // The server ends the recorder's session, as a restart or failover would.
    const ended = await pgAdmin("SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [ledger.name]);
    expect(ended.length).toBeGreaterThan(0);
    holder.exec("COMMIT");
    holder.close();
    const result = await run.done;
    expect(result.code).toBe(0);
    const shown = JSON.parse((await runCli(["runs", "show", "lost", "--json"], project.dir, env)).stdout);
    expect([shown.counts.succeeded, shown.runs[0].status]).toEqual([4, "succeeded"]);
  } finally {
    await ledger.drop();
    project.cleanup();
  }
});
