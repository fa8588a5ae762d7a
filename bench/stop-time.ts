import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { median, scratchDir, type Bench } from "./harness.js";

const DATABASES = Number(process.env.BENCH_STOP_DATABASES ?? 50);
const MIGRATIONS = 30;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

/** Starts `stagecraft migrate`, sends SIGTERM once the first database is done, and times the rest. */
function stopOnce(dir: string, round: number): Promise<{ stopMs: number; code: number | null }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
  for (let i = 0; i < DATABASES; i++) env[`DB${i}`] = `sqlite:./run${round}/d${i}.db`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "migrate"], { cwd: dir, env });
    let stderr = "";
    let signalledAt: number | undefined;
    child.stdout.resume();
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (signalledAt === undefined && stderr.includes(": succeeded")) {
        signalledAt = performance.now();
        child.kill("SIGTERM");
      }
    });
    child.on("close", (code) => {
      if (signalledAt === undefined) reject(new Error(`stagecraft finished before the signal: ${stderr}`));
      else resolve({ stopMs: performance.now() - signalledAt, code });
    });
  });
}

export const stopTime: Bench = {
  name: "stop-time",
  question: `How long after SIGTERM does \`stagecraft migrate\` exit (report printed) over ${DATABASES} SQLite databases × ${MIGRATIONS} migrations?`,
  async run() {
    const scratch = scratchDir("stop");
    try {
      mkdirSync(join(scratch.dir, "m"));
      for (let i = 1; i <= MIGRATIONS; i++) {
        const id = String(i).padStart(3, "0");
        writeFileSync(join(scratch.dir, "m", `${id}_t.sql`), `CREATE TABLE t${id} (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t${id} (v) VALUES ('x');\n`);
      }
      const databases = Object.fromEntries(Array.from({ length: DATABASES }, (_, i) => [`db${i}`, { connection_env: `DB${i}`, migrations: { engine: "raw", path: "./m" } }]));
      writeFileSync(join(scratch.dir, "stagecraft.yml"), stringify({ databases }));
      const times: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { stopMs, code } = await stopOnce(scratch.dir, round);
        if (code !== 143) throw new Error(`stagecraft exited ${code} after SIGTERM, not 143`);
        times.push(stopMs);
      }
      const stop = median(times);
      return [{ bench: this.name, metric: "SIGTERM to exit, report printed", value: stop, unit: "ms", target: "—", detail: `median of ${ROUNDS}; the running migrations finish, nothing new starts` }];
    } finally {
      scratch.cleanup();
    }
  },
};
