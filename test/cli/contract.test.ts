import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempProject } from "../helpers/project.js";

const DOC = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");
const COMMON = ["-c/--config", "--env", "--env-file", "--json", "-v/--verbose", "-h/--help"];

/** The contract table of docs/cli.md: command → flags (as `-d/--database` or `--plan`) and exit codes. */
function contract(): Map<string, { flags: string[]; exits: number[] }> {
  const section = DOC.slice(DOC.indexOf("## The contract"), DOC.indexOf("### Exit codes"));
  const rows = new Map<string, { flags: string[]; exits: number[] }>();
  for (const line of section.split("\n")) {
    const cells = /^\| `([a-z ]+)` \| (.*?) \| (.*?) \|$/.exec(line);
    if (!cells) continue;
    rows.set(cells[1]!, { flags: [...cells[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!), exits: [...cells[3]!.matchAll(/\d+/g)].map((m) => Number(m[0])) });
  }
  return rows;
}

/** Flags in the Options section of `--help`, spelled as in the table (`-d/--database`). */
function helpFlags(help: string): string[] {
  const options = help.slice(help.indexOf("Options:"), help.indexOf("\n\n", help.indexOf("Options:")));
  return [...options.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)].map((m) => (m[1] ? `${m[1]}/${m[2]}` : m[2]!));
}

/** The exit codes the `--help` of a command lists. */
function helpExits(help: string): number[] {
  const section = help.slice(help.indexOf("Exit codes:"));
  return [...section.matchAll(/^ {2}(\d+)/gm)].map((m) => Number(m[1])).concat(/143/.test(section) ? [143] : []);
}

describe("docs/cli.md contract table and --help agree", () => {
  const rows = contract();
  it("lists every command of the top-level help, migrate resolve included", async () => {
    const p = tempProject();
    const help = await runCli(["--help"], p.dir);
    p.cleanup();
    const block = help.stdout.slice(help.stdout.indexOf("All commands"));
    const listed = block.slice(0, block.indexOf("\n\n")).split("\n").slice(1).map((l) => l.trim());
    expect(listed).toContain("migrate resolve");
    expect([...rows.keys()].sort()).toEqual([...listed].sort());
  });

  for (const [command, row] of contract()) {
    it(`${command}: the same flags and exit codes`, async () => {
      const p = tempProject();
      const help = await runCli([...command.split(" "), "--help"], p.dir);
      p.cleanup();
      expect(help.code).toBe(0);
      const flags = row.flags.filter((f) => f !== "—");
      expect(helpFlags(help.stdout).sort()).toEqual([...COMMON, ...flags].sort());
      expect(helpExits(help.stdout).sort((a, b) => a - b)).toEqual([...row.exits].sort((a, b) => a - b));
      expect(help.stdout).toContain("Examples:\n  stagecraft ");
    });
  }
});
