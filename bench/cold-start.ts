import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { fmt, median, scratchDir, type Bench } from "./harness.js";

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

function wall(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, env, stdio: "ignore" });
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}`);
  return performance.now() - start;
}

export const coldStart: Bench = {
  name: "cold-start",
  question: "How long does a whole `stagecraft` process take to start, next to `node -e 0`?",
  async run() {
    const scratch = scratchDir("cold");
    try {
      mkdirSync(join(scratch.dir, "migrations"));
      writeFileSync(join(scratch.dir, "migrations", "001_init.sql"), "CREATE TABLE t (id INT);");
      writeFileSync(join(scratch.dir, "stagecraft.yml"), stringify({ databases: { main: { connection_env: "DB", migrations: { engine: "raw", path: "./migrations" } } } }));
      const env = { ...process.env, DB: "sqlite:./main.db" };
      const times: Record<"node" | "version" | "plan", number[]> = { node: [], version: [], plan: [] };
      for (let i = 0; i < RUNS; i++) {
        times.node.push(wall(["-e", "0"], scratch.dir, env));
        times.version.push(wall([CLI, "--version"], scratch.dir, env));
        times.plan.push(wall([CLI, "migrate", "--plan"], scratch.dir, env));
      }
      const node = median(times.node);
      const version = median(times.version);
      const plan = median(times.plan);
      return [
        { bench: this.name, metric: "stagecraft --version", value: version, unit: "ms", target: "—", detail: `${fmt(version / node)}× node -e 0 (${fmt(node)} ms)` },
        { bench: this.name, metric: "stagecraft migrate --plan, one SQLite database", value: plan / node, unit: "× node -e 0", target: "≤ 3×", pass: plan / node <= 3, detail: `${fmt(plan)} ms, node -e 0 ${fmt(node)} ms` },
      ];
    } finally {
      scratch.cleanup();
    }
  },
};
