import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { stringify } from "yaml";
import { fmt, scratchDir, type Bench } from "./harness.js";

const LARGE = Number(process.env.BENCH_FLEET_MEMBERS ?? 20_000);
const SMALL = Math.max(1, Math.round(LARGE / 10));
/** The `stagecraft` command as users run it: the launcher starts Node with the command's V8 flags (docs/performance.md). */
const BIN = fileURLToPath(new URL("../../bin/stagecraft.js", import.meta.url));
/** Reports the whole process's peak RSS (main thread and worker threads) on stderr as it exits; loaded through NODE_OPTIONS. */
const REPORT_RSS = `process.on("exit", () => { if (require("node:worker_threads").isMainThread) process.stderr.write("maxRSS " + process.resourceUsage().maxRSS + "\\n"); });\n`;

/**
 * A project whose one fleet entry expands, through a SQLite catalog query, into `count` SQLite
 * members (empty files: a plan reads them and finds every migration pending).
 */
function writeProject(dir: string, count: number): void {
  mkdirSync(join(dir, "migrations"), { recursive: true });
  mkdirSync(join(dir, "tenants"), { recursive: true });
  for (let i = 1; i <= 3; i++) writeFileSync(join(dir, "migrations", `00${i}_t.sql`), `CREATE TABLE t${i} (id INTEGER PRIMARY KEY, v TEXT);\n`);
  const catalog = new Database(join(dir, "catalog.db"));
  catalog.exec("CREATE TABLE tenants (slug TEXT PRIMARY KEY, region TEXT, tier TEXT)");
  const insert = catalog.prepare("INSERT INTO tenants VALUES (?, ?, ?)");
  catalog.transaction(() => {
    for (let i = 0; i < count; i++) {
      const slug = `t${String(i).padStart(6, "0")}`;
      insert.run(slug, ["eu", "us", "apac"][i % 3], ["free", "pro"][i % 2]);
      closeSync(openSync(join(dir, "tenants", `${slug}.db`), "w"));
    }
  })();
  catalog.close();
  writeFileSync(join(dir, "stagecraft.yml"), stringify({
    databases: {
      tenants: {
        fleet: {
          query: { connection_env: "CATALOG_URL", sql: "SELECT slug AS name, region, tier FROM tenants" },
          name: "tenant_{{name}}",
          url: "sqlite:./tenants/{{name}}.db",
          tags: ["{{region}}", "tier-{{tier}}"],
        },
        migrations: { engine: "raw", path: "./migrations" },
      },
    },
  }));
}

/** Peak RSS (MiB) of `stagecraft migrate --plan` (text output, as a person runs it) over the project. */
function planPeakRss(dir: string, expected: number): number {
  const reporter = join(dir, "report-rss.cjs");
  writeFileSync(reporter, REPORT_RSS);
  const result = spawnSync(BIN, ["migrate", "--plan"], {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      CATALOG_URL: "sqlite:./catalog.db",
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require=${JSON.stringify(reporter)}`.trim(),
      // The launcher runs the first `node` on PATH: this one.
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  const summary = result.stdout.trimEnd().split("\n").at(-1);
  if (result.status !== 0 || summary !== `${expected} databases, ${expected} planned`) throw new Error(`migrate --plan failed (${result.status}): ${summary}\n${result.stderr}`);
  const rss = /maxRSS (\d+)/.exec(result.stderr);
  if (!rss) throw new Error(`no maxRSS in: ${result.stderr}`);
  return Number(rss[1]) / 1024;
}

export const fleetMemory: Bench = {
  name: "fleet-memory",
  question: `Does peak RSS of \`migrate --plan\` stay flat as a catalog-query fleet grows from ${SMALL} to ${LARGE} SQLite members?`,
  async run() {
    const small = scratchDir("fleet-memory-small");
    const large = scratchDir("fleet-memory-large");
    try {
      writeProject(small.dir, SMALL);
      writeProject(large.dir, LARGE);
      const smallRss = planPeakRss(small.dir, SMALL);
      const largeRss = planPeakRss(large.dir, LARGE);
      const ratio = largeRss / smallRss;
      return [{ bench: this.name, metric: `peak RSS of migrate --plan, ${LARGE} vs ${SMALL} fleet members`, value: ratio, unit: "×", target: "≤ 1.3×", pass: ratio <= 1.3, detail: `${fmt(largeRss)} vs ${fmt(smallRss)} MiB` }];
    } finally {
      small.cleanup();
      large.cleanup();
    }
  },
};
