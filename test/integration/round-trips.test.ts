import { symlinkSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { stringify } from "yaml";
import { afterEach, expect, it } from "vitest";
import { recordQueries } from "../helpers/count-queries.js";
import { describeDialects } from "../helpers/describe-dialects.js";
import { engineProject, only, type EngineProject } from "../helpers/engine-project.js";
import { tempProject } from "../helpers/project.js";
import { availableDialects, type Dialect } from "../helpers/servers.js";
import { runAll } from "../helpers/stagecraft.js";

const dialects = await availableDialects();
const projects: EngineProject[] = [];
const cleanups: (() => void)[] = [];
let recorder: ReturnType<typeof recordQueries> | undefined;
afterEach(async () => {
  recorder?.restore();
  recorder = undefined;
  cleanups.splice(0).forEach((cleanup) => cleanup());
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const THREE = {
  "001_a.sql": "CREATE TABLE a (id INT);",
  "002_b.sql": "CREATE TABLE b (id INT);",
  "003_c.sql": "CREATE TABLE c (id INT);",
};

/** Runs (in this thread) and returns the report with every request the client library sent. */
async function recorded(p: EngineProject, what: "run" | "plan"): Promise<{ texts: string[]; report: Awaited<ReturnType<EngineProject["run"]>> }> {
  recorder = recordQueries();
  try {
    const report = await p[what]({ inProcess: true });
    return { texts: [...recorder.texts], report };
  } finally {
    recorder.restore();
    recorder = undefined;
  }
}

/**
 * Requests per run of the raw engine, pinned: the lock and its release, the bookkeeping table
 * made sure of and read once, then per migration what it cannot do without. PostgreSQL: the
 * script with its `BEGIN`, then its row with `COMMIT` (2). MySQL: claim the row, the
 * statement, finish the row (3), after the session setup (2). SQLite runs in this process: no
 * round trips, but no `sqlite_master` probe and one read of the table.
 */
const EXPECTED: Record<"postgres" | "mysql", { fixed: number; perMigration: number }> = {
  postgres: { fixed: 4, perMigration: 2 },
  mysql: { fixed: 6, perMigration: 3 },
};

describeDialects("round trips of the raw engine on %s", dialects, (dialect: Dialect) => {
  it("sends only what the run needs, and the report after the run matches a fresh plan without reading the table again", async () => {
    const p = await engineProject(dialect, "raw", THREE);
    projects.push(p);
    const first = await recorded(p, "run");
    expect(only(first.report).applied).toEqual(["001_a", "002_b", "003_c"]);
    const reads = first.texts.filter((t) => /^SELECT id, checksum/.test(t));
    expect(reads).toHaveLength(1);
    expect(first.texts.filter((t) => /sqlite_master|to_regclass|information_schema\.tables|set_config/.test(t))).toEqual([]);
    const again = await recorded(p, "run");
    expect(only(again.report).applied).toEqual([]);
    if (dialect !== "sqlite") {
      const { fixed, perMigration } = EXPECTED[dialect];
      expect(first.texts).toHaveLength(fixed + 3 * perMigration);
      expect(again.texts).toHaveLength(fixed);
    }
    // The report built from the rows just written says what the table says.
    const plan = only(await p.plan());
    expect(only(first.report).migrations).toEqual(plan.migrations);
    expect(plan.migrations.every((m) => m.applied && typeof m.appliedAt === "string")).toBe(true);
  });

  if (dialect !== "mysql") {
    it("a failing migration still names its file and line and leaves nothing behind, with BEGIN sent in front of the script", async () => {
      const p = await engineProject(dialect, "raw", { ...THREE, "004_bad.sql": "CREATE TABLE d (id INT);\nINSERT INTO d VALUES (1);\nINSERT INTO nope VALUES (1);\n" });
      projects.push(p);
      const db = only(await p.run({ inProcess: true }));
      expect(db.status).toBe("failed");
      expect(db.applied).toEqual(["001_a", "002_b", "003_c"]);
      expect(db.error?.message).toMatch(/004_bad\.sql:3: /);
      expect(db.error).toMatchObject({ kind: "migration_failed", migration: "004_bad", line: 3 });
      const tables = dialect === "sqlite"
        ? await p.db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE name = 'd'")
        : await p.db.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE tablename = 'd'");
      expect(tables).toEqual([]);
      expect((await p.db.query<{ id: string }>("SELECT id FROM stagecraft_migrations ORDER BY id")).map((r) => r.id)).toEqual(["001_a", "002_b", "003_c"]);
    });
  }
});

it.runIf(dialects.includes("postgres"))("PostgreSQL session settings travel in the startup packet, after the URL's own options, and take effect", async () => {
  const p = await engineProject("postgres", "raw", {
    "001_settings.sql": "CREATE TABLE seen AS SELECT current_setting('idle_session_timeout') AS idle, current_setting('idle_in_transaction_session_timeout') AS idle_tx, current_setting('client_connection_check_interval') AS check_interval, current_setting('statement_timeout') AS statement_timeout;",
  }, { stall_timeout_ms: 12_000 });
  projects.push(p);
  const url = new URL(p.db.url);
  url.searchParams.set("options", "-c statement_timeout=98765");
  const { texts, report } = await (async () => {
    recorder = recordQueries();
    try {
      const run = await p.run({ inProcess: true, env: { MAIN_URL: url.toString() } });
      return { texts: [...recorder.texts], report: run };
    } finally {
      recorder.restore();
      recorder = undefined;
    }
  })();
  expect(only(report).applied).toEqual(["001_settings"]);
  expect(texts.filter((t) => /set_config|SET /.test(t))).toEqual([]);
  expect(await p.db.query("SELECT idle, idle_tx, check_interval, statement_timeout FROM seen")).toEqual([{ idle: "12s", idle_tx: "12s", check_interval: "1s", statement_timeout: "98765ms" }]);
});

it("two runners that do not share a lock (one SQLite file reached through two paths) still apply each migration once", async () => {
  const project = tempProject();
  cleanups.push(project.cleanup);
  const count = 12;
  const migrations = 10;
  project.write("migrations/001_log.sql", "CREATE TABLE log (step TEXT);\nINSERT INTO log VALUES ('001');\n");
  for (let i = 2; i <= migrations; i++) {
    const id = String(i).padStart(3, "0");
    project.write(`migrations/${id}_step.sql`, `INSERT INTO log VALUES ('${id}');\n`);
  }
  const env: Record<string, string> = {};
  const databases: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const file = join(project.dir, `db${i}.db`);
    new Database(file).close();
    // The lock file sits beside the path: a second path means a second lock.
    symlinkSync(file, join(project.dir, `alias${i}.db`));
    databases[`db${i}`] = { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./migrations" } };
  }
  const configFile = project.write("stagecraft.yml", stringify({ databases }));
  const envFor = (name: string) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`DB${i}`, `sqlite:${join(project.dir, `${name}${i}.db`)}`]));
  Object.assign(env, envFor("db"));
  const [a, b] = await Promise.all([runAll(configFile, { env }), runAll(configFile, { env: envFor("alias") })]);
  expect([a.summary.failed, b.summary.failed]).toEqual([0, 0]);
  for (let i = 0; i < count; i++) {
    const db = new Database(join(project.dir, `db${i}.db`), { readonly: true });
    try {
      const steps = (db.prepare("SELECT step FROM log ORDER BY step").all() as { step: string }[]).map((r) => r.step);
      expect(steps).toEqual(Array.from({ length: migrations }, (_, k) => String(k + 1).padStart(3, "0")));
      expect((db.prepare("SELECT count(*) AS n FROM stagecraft_migrations WHERE finished_at IS NOT NULL").get() as { n: number }).n).toBe(migrations);
    } finally {
      db.close();
    }
    // Between them the two runners applied each migration once.
    const applied = [...a.databases[i]!.applied, ...b.databases[i]!.applied].sort();
    expect(applied).toHaveLength(migrations);
    expect(new Set(applied).size).toBe(migrations);
  }
});
