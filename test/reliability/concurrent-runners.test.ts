import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { fleetProject, hits, recorded, HITS, type FleetProject } from "../helpers/fleet-project.js";
import { availableDialects, pgAdmin } from "../helpers/servers.js";

const dialects = await availableDialects();
const PER_ENGINE = 5;

describe("concurrent runners", () => {
  let fleet: FleetProject;
  beforeAll(async () => {
    fleet = await fleetProject(dialects, PER_ENGINE);
  }, 120_000);
  afterAll(async () => fleet?.cleanup());

  it(`three \`stagecraft migrate\` processes at once over ${PER_ENGINE} databases per engine and dialect apply each migration exactly once`, async () => {
    const runs = await Promise.all([0, 1, 2].map(() => runCli(["migrate", "--json", "--concurrency", "6"], fleet.dir, fleet.env)));
    for (const run of runs) {
      const report = JSON.parse(run.stdout);
      const problems = report.databases.filter((d: { status: string; error?: { kind: string } }) => d.status !== "succeeded" && d.error?.kind !== "lock_timeout");
      expect(problems).toEqual([]);
      expect([0, 2]).toContain(run.code);
    }
    // Every migration ran once in all: the three reports together applied each exactly once.
    const applied = new Map<string, number>();
    for (const run of runs) {
      for (const db of JSON.parse(run.stdout).databases as { name: string; applied: string[] }[]) applied.set(db.name, (applied.get(db.name) ?? 0) + db.applied.length);
    }
    for (const entry of fleet.databases) {
      expect({ db: entry.name, hits: await hits(entry) }).toEqual({ db: entry.name, hits: [1, 2, 3] });
      expect({ db: entry.name, recorded: await recorded(entry) }).toEqual({ db: entry.name, recorded: HITS + 1 });
      expect({ db: entry.name, applied: applied.get(entry.name) }).toEqual({ db: entry.name, applied: HITS + 1 });
    }
  });

  it("leaves nothing locked: no knex lock row set, no unfinished marker, no advisory lock held", async () => {
    for (const entry of fleet.databases.filter((d) => d.engine === "knex")) {
      expect(Number((await entry.db.query<{ is_locked: number }>("SELECT is_locked FROM knex_migrations_lock"))[0]?.is_locked)).toBe(0);
    }
    for (const entry of fleet.databases.filter((d) => d.db.dialect === "postgres")) {
      const held = await pgAdmin("SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = $1", [entry.db.name]);
      expect(held[0]?.n).toBe(0);
    }
    const plan = await runCli(["migrate", "--plan", "--json"], fleet.dir, fleet.env);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).summary.succeeded).toBe(fleet.databases.length);
  });
});
