import { afterEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { availableDialects, createDatabase, type Dialect } from "../helpers/servers.js";

const dialects = (await availableDialects()).filter((d): d is Exclude<Dialect, "sqlite"> => d !== "sqlite");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SLEEP = { postgres: "SELECT pg_sleep(20);", mysql: "SELECT SLEEP(5);" };

describeDialects("lock recovery on %s", dialects, (dialect) => {
  it("a waiting runner times out naming the database and the holder; once the holder is killed, its lock dies with its session", async () => {
    const p = tempProject();
    const db = await createDatabase(dialect, p.dir);
    cleanups.push(p.cleanup, db.drop);
    p.write("migrations/001_slow.sql", `CREATE TABLE slow_t (id INT);\n${SLEEP[dialect]}\n`);
    p.write("stagecraft.yml", stringify({ databases: { tenant: { connection_env: "DB", migrations: { engine: "raw", path: "./migrations", lock_timeout_ms: 400 } } } }));
    const env = { DB: db.url };

    const holder = startCli(["migrate"], p.dir, env);
    // Wait until the holder is inside the migration (so it holds the lock).
    for (let i = 0; i < 100; i++) {
      const active = dialect === "postgres"
        ? await db.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%SELECT pg_sleep(20)%'")
        : await db.query("SELECT 1 FROM information_schema.processlist WHERE db = DATABASE() AND info LIKE 'SELECT SLEEP%'");
      if (active.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const waiting = await runCli(["migrate", "--json"], p.dir, env);
    expect(waiting.code).toBe(2);
    const error = JSON.parse(waiting.stdout).databases[0].error;
    expect(error.kind).toBe("lock_timeout");
    expect(error.message).toMatch(/^database tenant: timed out after 400 ms waiting for migration lock "[^"]+"(?: \(server lock name "[^"]+"\))? on .* held by (pid|connection) \d+/);

    holder.child.kill("SIGKILL");
    await holder.done;
    // The server notices the dead session and frees its lock; the next run gets it.
    let next = await runCli(["migrate", "--json"], p.dir, { ...env });
    for (let i = 0; i < 40 && next.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      next = await runCli(["migrate", "--json"], p.dir, env);
    }
    if (dialect === "mysql" && next.code !== 0) {
      // The killed run had recorded its migration as started: MySQL blocks until resolved.
      expect(JSON.parse(next.stdout).databases[0].error.message).toContain("did not finish (the runner died)");
      await db.query("DROP TABLE IF EXISTS slow_t");
      expect((await runCli(["migrate", "resolve", "-d", "tenant", "--rolled-back", "001_slow"], p.dir, env)).code).toBe(0);
      p.write("migrations/001_slow.sql", "CREATE TABLE slow_t (id INT);\n");
      next = await runCli(["migrate", "--json"], p.dir, env);
    } else if (next.code !== 0) {
      throw new Error(`next run failed: ${next.stdout}`);
    }
    expect(next.code).toBe(0);
  }, 90_000);
});
