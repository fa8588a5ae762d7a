import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { fleetProject, hits, recorded, HITS, type FleetProject } from "../helpers/fleet-project.js";
import { availableDialects, pgAdmin, type Dialect } from "../helpers/servers.js";

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
    expect(JSON.parse(plan.stdout).summary.planned).toBe(fleet.databases.length);
  });
});

/** Every engine's migrations with each step outside a transaction (knex: `transaction: false`). */
function writeNoTransactionMigrations(write: (path: string, text: string) => void, dialects: Dialect[]): void {
  const noTx = "-- stagecraft:no-transaction\n";
  write("migrations/raw/000_hits.sql", "CREATE TABLE hits (n INT);\n");
  for (let i = 1; i <= HITS; i++) write(`migrations/raw/00${i}_hit.sql`, `${noTx}INSERT INTO hits VALUES (${i});\n`);
  const entries = [];
  for (let i = 0; i <= HITS; i++) {
    write(`migrations/drizzle/000${i}_step.sql`, i === 0 ? "CREATE TABLE hits (n INT);" : `${noTx}INSERT INTO hits VALUES (${i});`);
    entries.push({ idx: i, version: "7", when: 1700000000000 + i * 1000, tag: `000${i}_step`, breakpoints: true });
  }
  write("migrations/drizzle/meta/_journal.json", JSON.stringify({ version: "7", dialect: "postgresql", entries }));
  for (const dialect of dialects) {
    write(`migrations/prisma-${dialect}/20240101000000_hits/migration.sql`, "CREATE TABLE hits (n INT);\n");
    for (let i = 1; i <= HITS; i++) write(`migrations/prisma-${dialect}/2024010${i + 1}000000_hit/migration.sql`, `${noTx}INSERT INTO hits VALUES (${i});\n`);
  }
  write("migrations/knex/000_hits.cjs", "exports.up = (knex) => knex.schema.createTable('hits', (t) => t.integer('n'));\nexports.down = (knex) => knex.schema.dropTable('hits');\n");
  for (let i = 1; i <= HITS; i++) write(`migrations/knex/00${i}_hit.cjs`, `exports.config = { transaction: false };\nexports.up = (knex) => knex('hits').insert({ n: ${i} });\nexports.down = async () => {};\n`);
}

describe("concurrent runners, migrations outside transactions", () => {
  let fleet: FleetProject;
  beforeAll(async () => {
    fleet = await fleetProject(dialects, 2);
    const project = { write: (path: string, text: string) => { mkdirSync(dirname(join(fleet.dir, path)), { recursive: true }); writeFileSync(join(fleet.dir, path), text); } };
    rmSync(join(fleet.dir, "migrations"), { recursive: true, force: true });
    writeNoTransactionMigrations(project.write, dialects);
  }, 120_000);
  afterAll(async () => fleet?.cleanup());

  it("three processes at once over 2 databases per engine and dialect: each migration applied once, nothing left marked unfinished", async () => {
    const runs = await Promise.all([0, 1, 2].map(() => runCli(["migrate", "--json", "--concurrency", "6"], fleet.dir, fleet.env)));
    const problems = runs.flatMap((run) => (JSON.parse(run.stdout).databases as { name: string; status: string; error?: { kind: string; message: string } }[])
      .filter((d) => d.status !== "succeeded" && d.error?.kind !== "lock_timeout").map((d) => `${d.name}: ${d.error?.message}`));
    expect(problems).toEqual([]);
    for (const entry of fleet.databases) {
      expect({ db: entry.name, hits: await hits(entry) }).toEqual({ db: entry.name, hits: [1, 2, 3] });
      expect({ db: entry.name, recorded: await recorded(entry) }).toEqual({ db: entry.name, recorded: HITS + 1 });
    }
    const plan = JSON.parse((await runCli(["migrate", "--plan", "--json"], fleet.dir, fleet.env)).stdout);
    expect(plan.databases.filter((d: { migrations: { state: string }[] }) => d.migrations.some((m) => m.state !== "applied")).map((d: { name: string }) => d.name)).toEqual([]);
  }, 300_000);
});
