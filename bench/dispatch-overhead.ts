import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { planAll, type DatabaseConfig, type StagecraftConfig } from "../src/index.js";
import { fmt, paired, type Bench } from "./harness.js";

const DATABASES = Number(process.env.BENCH_DISPATCH_DATABASES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NOOP_PLUGIN = new URL("./fixtures/noop-engine.js", import.meta.url).pathname;

export const dispatchOverhead: Bench = {
  name: "dispatch-overhead",
  question: `What does planAll cost per database on top of a bare Piscina round trip, over ${DATABASES} no-op databases?`,
  async run() {
    const threads = availableParallelism();
    const databases: DatabaseConfig[] = Array.from({ length: DATABASES }, (_, i) => ({
      name: `db${String(i).padStart(5, "0")}`, connectionEnv: `DB${i}`, engine: "noop", migrationPath: "/nonexistent", strategy: "pre_deploy", lockTimeoutMs: 1000, engineConfig: {},
    }));
    const config: StagecraftConfig = { file: "/bench/stagecraft.yml", dir: "/bench", plugins: [NOOP_PLUGIN], databases };
    const env = Object.fromEntries(databases.map((db) => [db.connectionEnv, "sqlite::memory:"]));
    await import(NOOP_PLUGIN);
    const t = await paired(ROUNDS, {
      planAll: async () => {
        const report = await planAll(config, { env, maxThreads: threads });
        if (report.summary.planned !== DATABASES) throw new Error(JSON.stringify(report.databases.find((d) => d.error)?.error));
      },
      bare: async () => {
        const pool = new Piscina({ filename: new URL("./workers/bare-noop-worker.js", import.meta.url).href, minThreads: 0, maxThreads: threads });
        await Promise.all(databases.map((db) => pool.run({ database: db.name })));
        await pool.destroy();
      },
    });
    const perDb = (ms: number) => (ms * 1000) / DATABASES;
    return [{
      bench: this.name, metric: `planAll vs bare Piscina, per database`, value: t.planAll / t.bare, unit: "× bare", target: "≤ 2×", pass: t.planAll / t.bare <= 2,
      detail: `planAll ${fmt(perDb(t.planAll))} µs/db, bare ${fmt(perDb(t.bare))} µs/db (${threads} threads)`,
    }];
  },
};
