import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BIN } from "../helpers/cli.js";
import { tempProjectPerTest } from "../helpers/project.js";

// bin/stagecraft.js is the `stagecraft` command: a file that sh and Node both read. sh starts
// Node with `--` before the file, so Node leaves every argument (`--env-file` included) to
// stagecraft; the rest is an ES module importing the CLI.

const newProject = tempProjectPerTest();
const PRINT_EXEC_ARGV = fileURLToPath(new URL("../fixtures/print-exec-argv.cjs", import.meta.url));

function project() {
  const p = newProject();
  p.write("migrations/001_init.sql", "CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n");
  p.write("stagecraft.yml", stringify({ databases: { main: { connection_env: "MAIN_URL", migrations: { engine: "raw", path: "./migrations" } } } }));
  return p;
}

function exec(command: string, args: string[], cwd: string) {
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? "" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

describe("the stagecraft launcher (bin/stagecraft.js)", () => {
  it("is executable, starts with #!/bin/sh, and is what package.json's bin names", () => {
    expect(statSync(BIN).mode & 0o111).toBe(0o111);
    expect(readFileSync(BIN, "utf8").split("\n")[0]).toBe("#!/bin/sh");
    const pkg = JSON.parse(readFileSync(join(BIN, "..", "..", "package.json"), "utf8")) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ stagecraft: "bin/stagecraft.js" });
    expect(pkg.files).toContain("bin/stagecraft.js");
  });

  it("works through a symlink in a folder with spaces (as npm links it), passing arguments with spaces unchanged", async () => {
    const p = project();
    const binDir = join(p.dir, "node modules", ".bin");
    mkdirSync(binDir, { recursive: true });
    symlinkSync(BIN, join(binDir, "stagecraft"));
    p.write("my vars.env", "MAIN_URL=sqlite:./data/main db.sqlite\n");
    mkdirSync(join(p.dir, "data"));
    const result = await exec(join(binDir, "stagecraft"), ["migrate", "--env-file", "my vars.env", "--json"], p.dir).done;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, databases: [{ name: "main", status: "succeeded", applied: ["001_init"] }] });
    expect(statSync(join(p.dir, "data", "main db.sqlite")).size).toBeGreaterThan(0);
  });

  it("a missing --env-file is stagecraft's own error (exit 1), in both spellings and after `--`-like arguments", async () => {
    const p = project();
    for (const args of [["validate", "--env-file", "nope.env"], ["status", "--env-file=nope.env"], ["migrate", "--plan", "-d", "main", "--env-file", "nope.env"]]) {
      expect(await exec(BIN, args, p.dir).done).toEqual({ code: 1, stdout: "", stderr: "cannot read env file nope.env: ENOENT\n" });
    }
  });

  it.runIf(process.platform === "linux")("execs Node: the shell is replaced, so the pid (and every signal sent to it) is Node's", async () => {
    const p = project();
    // The env file is a FIFO: stagecraft blocks opening it until the test writes it, which leaves
    // time to look at what the launched process is.
    expect(spawnSync("mkfifo", [join(p.dir, "vars.fifo")]).status).toBe(0);
    const { child, done } = exec(BIN, ["validate", "--env-file", "vars.fifo"], p.dir);
    let exe = "";
    for (let i = 0; i < 200 && !basename(exe).startsWith("node"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      try {
        exe = realpathSync(readlinkSync(`/proc/${child.pid}/exe`));
      } catch {
        exe = "";
      }
    }
    expect(basename(exe)).toMatch(/^node/);
    writeFileSync(join(p.dir, "vars.fifo"), "MAIN_URL=sqlite:./main.db\n");
    expect(await done).toMatchObject({ code: 0, stdout: expect.stringContaining("valid, 1 database") });
  });

  it("starts Node with the command's V8 heap flags before `--`; STAGECRAFT_V8_FLAGS replaces them, and empty leaves Node's defaults", () => {
    const p = project();
    const execArgv = (env: Record<string, string>): string[] => {
      const result = spawnSync(BIN, ["--version"], { cwd: p.dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: `--require=${PRINT_EXEC_ARGV}`, ...env } });
      expect(result.status).toBe(0);
      const line = result.stderr.split("\n").find((l) => l.startsWith("execArgv "));
      return JSON.parse(line!.slice("execArgv ".length)) as string[];
    };
    expect(execArgv({})).toEqual(["--max-semi-space-size=2", "--heap-growing-percent=50"]);
    expect(execArgv({ STAGECRAFT_V8_FLAGS: "" })).toEqual([]);
    expect(execArgv({ STAGECRAFT_V8_FLAGS: "--max-semi-space-size=8 --stack-size=900" })).toEqual(["--max-semi-space-size=8", "--stack-size=900"]);
  });
});
