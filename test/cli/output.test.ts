import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CLI, runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";
import { counter } from "../../dist/src/cli/progress.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Six SQLite databases of one folder: `one` … `six`, two migrations each. */
function six() {
  const p = tempProject();
  cleanups.push(p.cleanup);
  p.write("m/001_a.sql", "CREATE TABLE a (id INT);\n");
  p.write("m/002_b.sql", "CREATE TABLE b (id INT);\n");
  const names = ["one", "two", "three", "four", "five", "six"];
  p.write("stagecraft.yml", stringify({ databases: Object.fromEntries(names.map((n) => [n, { connection_env: `${n.toUpperCase()}_URL`, migrations: { engine: "raw", path: "./m" } }])) }));
  p.write(".env", names.map((n) => `${n.toUpperCase()}_URL=sqlite:./${n}.db`).join("\n"));
  return p;
}

/** Runs `stagecraft ARGS` on a pseudo-terminal (`script`), as a person's shell would. */
function onTerminal(args: string[], cwd: string, env: Record<string, string>) {
  return spawnSync("script", ["-qec", `${process.execPath} ${CLI} ${args.join(" ")}`, "/dev/null"], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } });
}

describe("progress and colour", () => {
  it("a terminal shows done/total; TERM=dumb gets plain lines and no escape codes at all", () => {
    const p = six();
    const live = onTerminal(["migrate", "--concurrency", "1"], p.dir, { TERM: "xterm" });
    expect(live.status).toBe(0);
    expect(live.stdout).toMatch(/\d\/6 done/);
    expect(live.stdout).toContain("\u001b[0J");
    const p2 = six();
    const dumb = onTerminal(["migrate"], p2.dir, { TERM: "dumb" });
    expect(dumb.status).toBe(0);
    expect(dumb.stdout).not.toContain("\u001b[");
    expect(dumb.stdout).toContain("one: applied 001_a (");
    expect(dumb.stdout).toMatch(/one: succeeded \[\d\/6\]/);
  });

  it("FORCE_COLOR colours piped output; FORCE_COLOR=0 and NO_COLOR keep it plain", async () => {
    const p = six();
    const forced = await runCli(["migrate", "--plan", "-d", "one"], p.dir, { FORCE_COLOR: "1" });
    expect(forced.stdout).toContain("\u001b[1mone\u001b[22m\u001b[2m (raw)\u001b[22m  \u001b[33m2 pending\u001b[39m");
    expect((await runCli(["migrate", "--plan", "-d", "one"], p.dir, { FORCE_COLOR: "0" })).stdout).not.toContain("\u001b[");
    expect((await runCli(["migrate", "--plan", "-d", "one"], p.dir)).stdout).not.toContain("\u001b[");
  });

  it("the ETA comes from the pace of the databases finished so far", () => {
    expect(counter(0, 10, 5_000)).toBe("0/10 done");
    expect(counter(3, 10, 3_000)).toBe("3/10 done, about 7 s left");
    expect(counter(1, 100, 2_000)).toBe("1/100 done, about 4 min left");
    expect(counter(10, 10, 9_000)).toBe("10/10 done");
    expect(counter(2, undefined, 1_000)).toBe("2 done");
  });
});

describe("--quiet and -v", () => {
  it("--quiet prints only what changed and what failed; -v names each database's target", async () => {
    const p = six();
    expect((await runCli(["migrate", "-d", "one", "-d", "two"], p.dir)).code).toBe(0);
    p.write("m/003_c.sql", "CREATE TABLE c (id INT);\n");
    const quiet = await runCli(["migrate", "-q", "-d", "one", "-d", "three"], p.dir);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe("✓ one: 1 applied (003_c)\n✓ three: 3 applied (001_a, 002_b, 003_c)\n\n2 databases, 2 succeeded, 4 migrations were run\n");
    const nothing = await runCli(["migrate", "--quiet", "-d", "one"], p.dir);
    expect(nothing.stdout).toBe("\n1 database, 1 succeeded, 0 migrations were run\n");
    expect(nothing.stderr).toBe("");
    const verbose = await runCli(["migrate", "-v", "-d", "four"], p.dir);
    expect(verbose.stderr).toContain("config stagecraft.yml, env file .env\n");
    expect(verbose.stderr).toContain("four: started (raw, sqlite:./four.db)\n");
  });
});
