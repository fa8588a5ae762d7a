import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadConfig, runAll, type StagecraftConfig } from "../src/index.js";
import { writeMigrations } from "./fixtures/sqlite-fleet-work.js";
import { fmt, paired, scratchDir, type Bench } from "./harness.js";

const DATABASES = Number(process.env.BENCH_EVENTS_DATABASES ?? 500);
const MIGRATIONS = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export const events: Bench = {
  name: "events",
  question: `Does every migration event of ${DATABASES} SQLite databases × ${MIGRATIONS} migrations arrive, and what does listening cost?`,
  async run() {
    const scratch = scratchDir("events");
    try {
      mkdirSync(join(scratch.dir, "migrations"));
      writeMigrations(join(scratch.dir, "migrations"), MIGRATIONS, (path, text) => writeFileSync(path, text));
      const databases = Object.fromEntries(Array.from({ length: DATABASES }, (_, i) => [`db${i}`, { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./migrations" } }]));
      writeFileSync(join(scratch.dir, "stagecraft.yml"), stringify({ databases }));
      const config: StagecraftConfig = await loadConfig(join(scratch.dir, "stagecraft.yml"));
      let round = 0;
      let fewest = Number.POSITIVE_INFINITY;
      const migrate = async (listen: boolean) => {
        const dir = join(scratch.dir, `r${round++}`);
        const env = Object.fromEntries(Array.from({ length: DATABASES }, (_, i) => [`DB${i}`, `sqlite:${dir}/d${i}.db?journal_mode=wal`]));
        let seen = 0;
        const count = () => void seen++;
        const report = await runAll(config, { env, ...(listen ? { on: { "migration:start": count, "migration:applied": count } } : {}) });
        if (report.summary.succeeded !== DATABASES) throw new Error(JSON.stringify(report.databases.find((d) => d.error)?.error));
        if (listen) fewest = Math.min(fewest, seen);
      };
      const t = await paired(ROUNDS, { listening: () => migrate(true), silent: () => migrate(false) });
      const expected = DATABASES * MIGRATIONS * 2;
      return [
        { bench: this.name, metric: `migration events delivered (fewest of ${ROUNDS} runs)`, value: fewest, unit: `of ${expected}`, target: `${expected}`, pass: fewest === expected },
        { bench: this.name, metric: "WAL: runAll with listeners vs without", value: t.listening / t.silent, unit: "×", target: "≤ 1.05×", pass: t.listening / t.silent <= 1.05, detail: `${fmt(t.listening / DATABASES)} vs ${fmt(t.silent / DATABASES)} ms/db` },
      ];
    } finally {
      scratch.cleanup();
    }
  },
};
