import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import knexFactory from "knex";
import { Piscina } from "piscina";
import { stringify } from "yaml";
import { defaultAloneThreads, loadConfig, runAll, type StagecraftConfig } from "../src/index.js";
import { migrateOne, readMigrations, writeMigrations } from "./fixtures/sqlite-fleet-work.js";
import { fmt, paired, scratchDir, type Bench, type Figure } from "./harness.js";

const DATABASES = Number(process.env.BENCH_SQLITE_DATABASES ?? 500);
const MIGRATIONS = 20;
/** One process per database is slow: it is timed on this many databases and scaled per database. */
const PROCESS_SAMPLE = Number(process.env.BENCH_PROCESS_SAMPLE ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

interface Fleet {
  dir: string;
  config: StagecraftConfig;
  migrations: { id: string; sql: string }[];
}

async function fleet(dir: string, count: number): Promise<Fleet> {
  mkdirSync(join(dir, "migrations"), { recursive: true });
  writeMigrations(join(dir, "migrations"), MIGRATIONS, (path, text) => writeFileSync(path, text));
  for (let i = 1; i <= MIGRATIONS; i++) {
    const id = String(i).padStart(3, "0");
    mkdirSync(join(dir, "knex"), { recursive: true });
    // The same SQL as the raw files, each in its own transaction as in the other contenders.
    writeFileSync(join(dir, "knex", `${id}_table_${id}.cjs`), `exports.config = { transaction: true };\nexports.up = async (knex) => { await knex.raw("CREATE TABLE t${id} (id INTEGER PRIMARY KEY, v TEXT)"); await knex.raw("INSERT INTO t${id} (v) VALUES ('x')"); };\nexports.down = async () => {};\n`);
  }
  const databases: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) databases[`db${String(i).padStart(4, "0")}`] = { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./migrations" } };
  writeFileSync(join(dir, "stagecraft.yml"), stringify({ databases }));
  return { dir, config: await loadConfig(join(dir, "stagecraft.yml")), migrations: readMigrations(join(dir, "migrations")) };
}

let round = 0;
/** A fresh folder of empty databases for each timed run. */
function nextTarget(f: Fleet): string {
  const target = join(f.dir, `run${round++}`);
  mkdirSync(target);
  return target;
}

function envFor(target: string, count: number, mode: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < count; i++) env[`DB${i}`] = `sqlite:${target}/d${i}.db${mode === "wal" ? "?journal_mode=wal" : ""}`;
  return env;
}

async function stagecraftRun(f: Fleet, mode: string, maxThreads?: number, inProcess = false): Promise<void> {
  const report = await runAll(f.config, { env: envFor(nextTarget(f), DATABASES, mode), ...(maxThreads === undefined ? {} : { maxThreads }), ...(inProcess ? { inProcess, concurrency: 1 } : {}) });
  if (report.summary.succeeded !== DATABASES) throw new Error(`runAll: ${JSON.stringify(report.databases.find((d) => d.error)?.error)}`);
}

function sequentialLoop(f: Fleet, mode: string): void {
  const target = nextTarget(f);
  for (let i = 0; i < DATABASES; i++) migrateOne(`${target}/d${i}.db`, f.migrations, mode);
}

async function handPool(f: Fleet, mode: string, threads: number): Promise<void> {
  const pool = new Piscina({ filename: new URL("./workers/hand-pool-worker.js", import.meta.url).href, minThreads: threads, maxThreads: threads });
  const target = nextTarget(f);
  await Promise.all(Array.from({ length: DATABASES }, (_, i) => pool.run({ path: `${target}/d${i}.db`, migrations: f.migrations, journalMode: mode })));
  await pool.destroy();
}

async function knexLoop(f: Fleet, mode: string): Promise<void> {
  const target = nextTarget(f);
  for (let i = 0; i < DATABASES; i++) {
    const knex = knexFactory({
      client: "better-sqlite3",
      connection: { filename: `${target}/d${i}.db` },
      useNullAsDefault: true,
      pool: { afterCreate: (conn: { pragma(s: string): void }, done: (e: null, c: unknown) => void) => { if (mode === "wal") conn.pragma("journal_mode = wal"); done(null, conn); } },
    });
    await knex.migrate.latest({ directory: join(f.dir, "knex"), disableTransactions: true });
    await knex.destroy();
  }
}

/** `for db in …; do stagecraft migrate -d $db; done`, timed on a sample and scaled. */
async function processPerDatabase(f: Fleet, mode: string): Promise<number> {
  const target = nextTarget(f);
  const env = { ...process.env, ...envFor(target, DATABASES, mode) };
  const start = performance.now();
  for (let i = 0; i < PROCESS_SAMPLE; i++) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, "migrate", "--config", join(f.dir, "stagecraft.yml"), "-d", `db${String(i).padStart(4, "0")}`], { env, stdio: "ignore" });
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`stagecraft migrate exited ${code}`))));
    });
  }
  return ((performance.now() - start) / PROCESS_SAMPLE) * DATABASES;
}

export const sqliteFleet: Bench = {
  name: "sqlite-fleet",
  question: `How fast does runAll migrate ${DATABASES} SQLite databases × ${MIGRATIONS} migrations, against hand-written loops, a hand-written pool, knex and one process per database; and at how many threads?`,
  async run() {
    const scratch = scratchDir("sqlite");
    const cores = availableParallelism();
    // The hand pool gets the threads runAll uses by default: the comparison is about the runner, not the thread count.
    const threads = defaultAloneThreads(cores);
    const figures: Figure[] = [];
    try {
      const f = await fleet(scratch.dir, DATABASES);
      for (const mode of ["delete", "wal"]) {
        const label = mode === "delete" ? "durable default" : "WAL";
        const [seqTarget, poolTarget] = mode === "delete" ? [1.8, 1.0] : [1.2, 0.9];
        const t = await paired(ROUNDS, {
          runAll: () => stagecraftRun(f, mode),
          sequential: async () => sequentialLoop(f, mode),
          pool: () => handPool(f, mode, threads),
          // The same work in the calling thread, one database after another like the loop: what
          // stagecraft itself costs per database, with no thread to start and none to share the cores.
          inProcess: () => stagecraftRun(f, mode, undefined, true),
        });
        const knex = await paired(1, { knex: () => knexLoop(f, mode) });
        const perProcess = await processPerDatabase(f, mode);
        const detail = `runAll ${fmt(t.runAll / DATABASES)} ms/db`;
        figures.push(
          { bench: this.name, metric: `${label}: runAll vs sequential loop`, value: t.sequential / t.runAll, unit: "×", target: `≥ ${seqTarget}×`, pass: t.sequential / t.runAll >= seqTarget, detail: `${detail}, loop ${fmt(t.sequential / DATABASES)} ms/db` },
          { bench: this.name, metric: `${label}: runAll vs hand-written pool (${threads} threads)`, value: t.pool / t.runAll, unit: "×", target: `≥ ${poolTarget}×`, pass: t.pool / t.runAll >= poolTarget, detail: `pool ${fmt(t.pool / DATABASES)} ms/db` },
          { bench: this.name, metric: `${label}: runAll in the calling thread (inProcess) vs sequential loop`, value: t.sequential / t.inProcess, unit: "×", target: "—", detail: `inProcess ${fmt(t.inProcess / DATABASES)} ms/db: stagecraft's own cost per database, no threads` },
          { bench: this.name, metric: `${label}: runAll vs knex Migrator loop`, value: knex.knex / t.runAll, unit: "×", target: "≥ 2×", pass: knex.knex / t.runAll >= 2, detail: `knex ${fmt(knex.knex / DATABASES)} ms/db (1 run)` },
          { bench: this.name, metric: `${label}: runAll vs one CLI process per database`, value: perProcess / t.runAll, unit: "×", target: "≥ 3.5×", pass: perProcess / t.runAll >= 3.5, detail: `process ${fmt(perProcess / DATABASES)} ms/db (${PROCESS_SAMPLE} sampled)` },
        );
      }
      // How the default thread count was chosen: fsync waits leave the cores idle at one thread per core.
      const counts = [...new Set([cores, threads, 3 * cores])].sort((a, b) => a - b);
      const scaling = await paired(ROUNDS, Object.fromEntries(counts.map((n) => [`t${n}`, () => stagecraftRun(f, "delete", n)])) as Record<string, () => Promise<void>>);
      for (const n of counts) {
        figures.push({ bench: this.name, metric: `durable default: runAll at ${n} threads${n === threads ? " (default)" : ""}`, value: scaling[`t${n}`]! / DATABASES, unit: "ms/db", target: "—", detail: `${fmt(scaling[`t${cores}`]! / scaling[`t${n}`]!)}× runAll at one thread per core` });
      }
    } finally {
      scratch.cleanup();
    }
    return figures;
  },
};
