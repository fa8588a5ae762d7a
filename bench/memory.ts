import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, scratchDir, type Bench } from "./harness.js";

const SMALL = 500;
const LARGE = Number(process.env.BENCH_MEMORY_DATABASES ?? 5_000);
const CHILD = fileURLToPath(new URL("./workers/memory-child.js", import.meta.url));
/** The V8 flags the `stagecraft` launcher starts Node with unless STAGECRAFT_V8_FLAGS says otherwise. */
export const COMMAND_V8_FLAGS = /\$\{STAGECRAFT_V8_FLAGS-([^}]*)\}/.exec(readFileSync(fileURLToPath(new URL("../../bin/stagecraft.js", import.meta.url)), "utf8"))![1]!.split(" ");

/** Peak RSS (MiB) of a fresh process (started with `nodeFlags`) that runs runAll over `count` SQLite databases. */
function peakRss(dir: string, count: number, nodeFlags: readonly string[] = []): number {
  const result = spawnSync(process.execPath, [...nodeFlags, CHILD, join(dir, "migrations"), String(count), join(dir, `data-${count}-${nodeFlags.length}`)], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`memory child failed: ${result.stderr}`);
  return Number(result.stdout.trim()) / 1024;
}

export const memory: Bench = {
  name: "memory",
  question: `Does peak memory stay flat as the fleet grows from ${SMALL} to ${LARGE} SQLite databases?`,
  async run() {
    const scratch = scratchDir("memory");
    try {
      mkdirSync(join(scratch.dir, "migrations"));
      for (let i = 1; i <= 5; i++) writeFileSync(join(scratch.dir, "migrations", `00${i}_t.sql`), `CREATE TABLE t${i} (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t${i} (v) VALUES ('x');\n`);
      const small = peakRss(scratch.dir, SMALL);
      const large = peakRss(scratch.dir, LARGE);
      // The same program started with the V8 flags the `stagecraft` command runs with.
      const tunedSmall = peakRss(scratch.dir, SMALL, COMMAND_V8_FLAGS);
      const tunedLarge = peakRss(scratch.dir, LARGE, COMMAND_V8_FLAGS);
      return [
        { bench: this.name, metric: `peak RSS, ${LARGE} vs ${SMALL} databases`, value: large / small, unit: "×", target: "≤ 1.25×", pass: large / small <= 1.25, detail: `${fmt(large)} vs ${fmt(small)} MiB` },
        { bench: this.name, metric: `peak RSS, ${LARGE} vs ${SMALL} databases, node ${COMMAND_V8_FLAGS.join(" ")}`, value: tunedLarge / tunedSmall, unit: "×", target: "—", detail: `${fmt(tunedLarge)} vs ${fmt(tunedSmall)} MiB (the command's V8 flags)` },
      ];
    } finally {
      scratch.cleanup();
    }
  },
};
