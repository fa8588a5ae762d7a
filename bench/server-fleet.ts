import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadConfig, runAll } from "../src/index.js";
import { countRequests, mysqlHandLanes, pgHandLanes, type HandMigration } from "./fixtures/hand-lanes.js";
import { fmt, paired, scratchDir, type Bench, type Figure } from "./harness.js";
import { MYSQL_URL, PG_URL, mysqlAdmin, pgAdmin, swapDb } from "./fixtures/servers.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MIGRATIONS = 20;

interface Server {
  label: string;
  count: number;
  target: number;
  admin(sql: string): Promise<void>;
  urlFor(db: string): string;
  /** Empties one database between timed runs. */
  reset(db: string): Promise<void>;
  /** Eight hand-written async lanes on the main thread doing the same work (see fixtures/hand-lanes.ts). */
  hand(urls: readonly string[], migrations: readonly HandMigration[]): Promise<void>;
}

/** Issue 15's target against eight hand-written lanes, for both servers. */
const HAND_TARGET = 0.9;


const SERVERS: Server[] = [
  {
    label: "PostgreSQL", count: Number(process.env.BENCH_PG_DATABASES ?? 100), target: 1.8, admin: (sql) => pgAdmin(sql), urlFor: (db) => swapDb(PG_URL, db),
    reset: (db) => pgAdmin("DROP SCHEMA public CASCADE; CREATE SCHEMA public;", swapDb(PG_URL, db)),
    hand: (urls, migrations) => pgHandLanes(urls, migrations),
  },
  {
    label: "MySQL/MariaDB", count: Number(process.env.BENCH_MYSQL_DATABASES ?? 50), target: 1.5, admin: mysqlAdmin, urlFor: (db) => swapDb(MYSQL_URL, db),
    reset: async (db) => {
      await mysqlAdmin(`DROP DATABASE ${db}`);
      await mysqlAdmin(`CREATE DATABASE ${db}`);
    },
    hand: (urls, migrations) => mysqlHandLanes(urls, migrations),
  },
];

async function reachable(server: Server): Promise<boolean> {
  try {
    await server.admin("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

export const serverFleet: Bench = {
  name: "server-fleet",
  question: "How fast is runAll on PostgreSQL and MySQL/MariaDB fleets, against one database at a time and against eight hand-written async lanes on the main thread; how many round trips per database?",
  async run() {
    const figures: Figure[] = [];
    for (const server of SERVERS) {
      if (!(await reachable(server))) {
        figures.push({ bench: this.name, metric: `${server.label}: not reachable, skipped`, value: Number.NaN, unit: "×", target: `≥ ${server.target}×`, pass: false });
        continue;
      }
      const scratch = scratchDir("server");
      const names = Array.from({ length: server.count }, (_, i) => `scbench_${process.pid}_${i}`);
      try {
        for (const name of names) await server.admin(`CREATE DATABASE ${name}`);
        mkdirSync(join(scratch.dir, "migrations"));
        const handMigrations: HandMigration[] = [];
        for (let i = 1; i <= MIGRATIONS; i++) {
          const id = String(i).padStart(3, "0");
          const statements = [`CREATE TABLE t${id} (id INT PRIMARY KEY, v VARCHAR(20))`, `INSERT INTO t${id} VALUES (1, 'x')`];
          writeFileSync(join(scratch.dir, "migrations", `${id}_t.sql`), statements.map((s) => `${s};\n`).join(""));
          handMigrations.push({ id: `${id}_t`, text: statements.map((s) => `${s};\n`).join(""), statements });
        }
        const databases = Object.fromEntries(names.map((name, i) => [name, { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./migrations" } }]));
        writeFileSync(join(scratch.dir, "stagecraft.yml"), stringify({ databases }));
        const config = await loadConfig(join(scratch.dir, "stagecraft.yml"));
        const env = Object.fromEntries(names.map((name, i) => [`DB${i}`, server.urlFor(name)]));
        const urls = names.map((name) => server.urlFor(name));
        const migrateAll = async (concurrency?: number) => {
          const report = await runAll(config, { env, ...(concurrency === undefined ? {} : { concurrency }) });
          if (report.summary.succeeded !== server.count) throw new Error(JSON.stringify(report.databases.find((d) => d.error)?.error));
        };
        // Round trips of one database, counted in this thread (runAll in-process), against the hand lane's.
        const ours = await countRequests(() => runAll(config, { env, databases: [names[0]!], inProcess: true }));
        const theirs = await countRequests(() => server.hand([urls[1]!], handMigrations));
        await server.reset(names[0]!);
        await server.reset(names[1]!);
        const t = await paired(ROUNDS, { parallel: () => migrateAll(), sequential: () => migrateAll(1), hand: () => server.hand(urls, handMigrations) }, async () => {
          for (const name of names) await server.reset(name);
        });
        figures.push(
          {
            bench: this.name, metric: `${server.label}: ${server.count} dbs × ${MIGRATIONS} migrations, default concurrency vs sequential`, value: t.sequential / t.parallel, unit: "×",
            target: `≥ ${server.target}×`, pass: t.sequential / t.parallel >= server.target, detail: `${fmt(t.parallel / server.count)} vs ${fmt(t.sequential / server.count)} ms/db`,
          },
          {
            bench: this.name, metric: `${server.label}: ${server.count} dbs × ${MIGRATIONS} migrations, runAll vs 8 hand-written async lanes`, value: t.hand / t.parallel, unit: "×",
            target: `≥ ${HAND_TARGET}×`, pass: t.hand / t.parallel >= HAND_TARGET, detail: `lanes ${fmt(t.hand / server.count)} ms/db`,
          },
          {
            bench: this.name, metric: `${server.label}: round trips per database (${MIGRATIONS} migrations)`, value: ours, unit: "",
            target: "—", detail: `hand-written lane ${theirs}`,
          },
        );
      } finally {
        for (const name of names) await server.admin(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
        scratch.cleanup();
      }
    }
    return figures;
  },
};
