import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Piscina } from "piscina";
import { stringify } from "yaml";
import { createRunner, loadConfig } from "../src/index.js";
import { readMigrations, writeMigrations } from "./fixtures/sqlite-fleet-work.js";
import { fmt, paired, scratchDir, type Bench } from "./harness.js";

const ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 15);
const MIGRATIONS = 20;

export const warmRunner: Bench = {
  name: "warm-runner",
  question: "How long do two SQLite databases take through a runner kept warm across calls, next to a warm hand-written pool?",
  async run() {
    const scratch = scratchDir("warm");
    const runner = createRunner({ maxThreads: 2 });
    const pool = new Piscina({ filename: new URL("./workers/hand-pool-worker.js", import.meta.url).href, minThreads: 2, maxThreads: 2 });
    try {
      mkdirSync(join(scratch.dir, "migrations"));
      writeMigrations(join(scratch.dir, "migrations"), MIGRATIONS, (path, text) => writeFileSync(path, text));
      const migrations = readMigrations(join(scratch.dir, "migrations"));
      writeFileSync(join(scratch.dir, "stagecraft.yml"), stringify({ databases: { a: { connection_env: "A", migrations: { engine: "raw", path: "./migrations" } }, b: { connection_env: "B", migrations: { engine: "raw", path: "./migrations" } } } }));
      const config = await loadConfig(join(scratch.dir, "stagecraft.yml"));
      let round = 0;
      const target = (): string => {
        const dir = join(scratch.dir, `r${round++}`);
        mkdirSync(dir);
        return dir;
      };
      const viaRunner = async () => {
        const dir = target();
        const report = await runner.run(config, { env: { A: `sqlite:${dir}/a.db`, B: `sqlite:${dir}/b.db` } });
        if (report.summary.succeeded !== 2) throw new Error(JSON.stringify(report.databases.find((d) => d.error)?.error));
      };
      const viaPool = async () => {
        const dir = target();
        await Promise.all(["a", "b"].map((name) => pool.run({ path: `${dir}/${name}.db`, migrations, journalMode: "delete" })));
      };
      // Warm both up first: the question is a kept runner, not the first call.
      for (let i = 0; i < 5; i++) await Promise.all([viaRunner(), viaPool()]);
      const t = await paired(ROUNDS, { runner: viaRunner, pool: viaPool });
      return [{ bench: this.name, metric: "2 databases: warm runner vs warm hand pool", value: t.runner / t.pool, unit: "× pool", target: "≤ 1.5×", pass: t.runner / t.pool <= 1.5, detail: `runner ${fmt(t.runner)} ms, pool ${fmt(t.pool)} ms` }];
    } finally {
      await runner.close();
      await pool.destroy();
      scratch.cleanup();
    }
  },
};
