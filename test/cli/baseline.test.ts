import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Three SQLite databases of one raw folder, tagged so selections can be tested. */
function fleet(): { dir: string; rows: (db: string) => string[] } {
  const project = tempProject();
  cleanups.push(project.cleanup);
  project.write("migrations/001_users.sql", "CREATE TABLE users (id INT);\n");
  project.write("migrations/002_posts.sql", "CREATE TABLE posts (id INT);\n");
  project.write("migrations/003_tags.sql", "CREATE TABLE tags (id INT);\n");
  const db = (name: string, tags: string[]) => ({ connection_env: `${name.toUpperCase()}_URL`, tags, migrations: { engine: "raw", path: "./migrations" } });
  project.write("stagecraft.yml", stringify({ databases: { alpha: db("alpha", ["eu"]), beta: db("beta", ["eu"]), gamma: db("gamma", ["us"]) } }));
  project.write(".env", "ALPHA_URL=sqlite:./alpha.db\nBETA_URL=sqlite:./beta.db\nGAMMA_URL=sqlite:./gamma.db\n");
  return {
    dir: project.dir,
    rows: (name) => {
      const sqlite = new Database(`${project.dir}/${name}.db`);
      try {
        const exists = sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'stagecraft_migrations'").get();
        return exists ? (sqlite.prepare("SELECT id FROM stagecraft_migrations ORDER BY id").all() as { id: string }[]).map((r) => r.id) : [];
      } finally {
        sqlite.close();
      }
    },
  };
}

describe("stagecraft migrate baseline", () => {
  it("--plan says what would be marked on each database and changes nothing", async () => {
    const { dir, rows } = fleet();
    const result = await runCli(["migrate", "baseline", "--to", "002_posts", "--plan"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe([
      "✓ alpha: would mark 2 applied (001_users, 002_posts)",
      "✓ beta: would mark 2 applied (001_users, 002_posts)",
      "✓ gamma: would mark 2 applied (001_users, 002_posts)",
      "",
      "3 databases, 3 planned, 6 migrations would be marked applied, none run",
      "",
    ].join("\n"));
    expect(["alpha", "beta", "gamma"].map(rows)).toEqual([[], [], []]);
  });

  it("marks the selected databases applied; a second baseline has nothing to do", async () => {
    const { dir, rows } = fleet();
    const first = await runCli(["migrate", "baseline", "--to", "002_posts", "--tag", "eu"], dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe([
      "✓ alpha: marked 2 applied (001_users, 002_posts)",
      "✓ beta: marked 2 applied (001_users, 002_posts)",
      "",
      "2 databases, 2 succeeded, 4 migrations marked applied, none run",
      "",
    ].join("\n"));
    expect(["alpha", "beta", "gamma"].map(rows)).toEqual([["001_users", "002_posts"], ["001_users", "002_posts"], []]);
    const again = await runCli(["migrate", "baseline", "--to", "002_posts", "-d", "alpha"], dir);
    expect(again.code).toBe(0);
    expect(again.stdout.split("\n")[0]).toBe("✓ alpha: already at 002_posts, nothing to mark");
    const migrate = await runCli(["migrate", "-d", "alpha"], dir);
    expect(migrate.stdout).toContain("✓ alpha: 1 applied (003_tags)");
  });

  it("a database whose history disagrees fails with the reason (exit 2); the others are marked", async () => {
    const { dir, rows } = fleet();
    expect((await runCli(["migrate", "-d", "gamma"], dir)).code).toBe(0);
    const result = await runCli(["migrate", "baseline", "--to", "002_posts"], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe([
      "✓ alpha: marked 2 applied (001_users, 002_posts)",
      "✓ beta: marked 2 applied (001_users, 002_posts)",
      "✗ gamma",
      "  error [invalid_config] database gamma: cannot baseline to 002_posts: 003_tags is already applied after it",
      "    hint: this database is past 002_posts: baseline it to 003_tags or later, or leave it out (--exclude gamma)",
      "",
      "3 databases, 2 succeeded, 1 failed, 4 migrations marked applied, none run",
      "",
    ].join("\n"));
    expect(rows("gamma")).toEqual(["001_users", "002_posts", "003_tags"]);
  });

  it("--json prints the report of mode baseline", async () => {
    const { dir } = fleet();
    const result = await runCli(["migrate", "baseline", "--to", "001_users", "-d", "beta", "--json"], dir);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, mode: "baseline", summary: { total: 1, succeeded: 1 } });
    expect(report.databases[0]).toMatchObject({ name: "beta", applied: ["001_users"] });
    expect(report.databases[0].migrations.map((m: { state: string }) => m.state)).toEqual(["applied", "pending", "pending"]);
  });

  it("needs --to (exit 1), and an unknown ID fails every database naming the folder", async () => {
    const { dir } = fleet();
    const missing = await runCli(["migrate", "baseline"], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error: required option '--to <id>' not specified");
    const unknown = await runCli(["migrate", "baseline", "--to", "004_nope", "-d", "alpha"], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain(`  error [invalid_config] database alpha: cannot baseline: no migration 004_nope in ${dir}/migrations`);
  });

  it("a fleet past 50 databases is summarised: failures in full, 20 others, then a count", async () => {
    const project = tempProject();
    cleanups.push(project.cleanup);
    project.write("migrations/001_users.sql", "CREATE TABLE users (id INT);\n");
    project.write("migrations/002_posts.sql", "CREATE TABLE posts (id INT);\n");
    // Empty files are empty SQLite databases; the glob makes one member per file.
    for (let i = 1; i <= 55; i++) project.write(`data/t${String(i).padStart(2, "0")}.db`, "");
    project.write("stagecraft.yml", stringify({ databases: { tenants: { fleet: { glob: "./data/*.db" }, migrations: { engine: "raw", path: "./migrations" } } } }));
    expect((await runCli(["migrate", "-d", "t55"], project.dir)).code).toBe(0);
    const result = await runCli(["migrate", "baseline", "--to", "001_users"], project.dir);
    expect(result.code).toBe(2);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "✗ t55",
      "  error [invalid_config] database t55: cannot baseline to 001_users: 002_posts is already applied after it",
      "    hint: this database is past 001_users: baseline it to 002_posts or later, or leave it out (--exclude t55)",
    ]);
    expect(lines.slice(3, 23)).toEqual(Array.from({ length: 20 }, (_, i) => `✓ t${String(i + 1).padStart(2, "0")}: marked 1 applied (001_users)`));
    expect(lines.slice(23)).toEqual(["… and 34 more (--verbose or --json for all)", "", "55 databases, 54 succeeded, 1 failed, 54 migrations marked applied, none run"]);
    const verbose = await runCli(["migrate", "baseline", "--to", "001_users", "--plan", "-v"], project.dir);
    expect(verbose.stdout.split("\n").filter((line) => line.endsWith("already at 001_users, nothing to mark"))).toHaveLength(54);
  });
});
