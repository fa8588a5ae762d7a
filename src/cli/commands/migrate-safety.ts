import { createInterface } from "node:readline/promises";
import { CommanderError } from "commander";
import type { StagecraftConfig } from "../../config/load.js";
import type { RunReport } from "../../runner/report.js";
import { EXIT, err } from "../shared.js";
import { CLI_DEFAULT_STRATEGIES } from "../selection.js";
import type { MigrateFlags } from "./migrate.js";

/** Names listed in the "left out" note before the rest are counted. */
const NAMES_SHOWN = 5;

/**
 * Before a revert: `--yes`, or a yes typed on a terminal, or a refusal. Shows what would be
 * reverted, per database, and asks. Returns the exit code to stop with, or undefined to go on.
 */
export async function confirmRevert(flags: MigrateFlags, preview: () => Promise<RunReport>): Promise<number | undefined> {
  if (flags.yes) return undefined;
  if (process.stdin.isTTY !== true) {
    throw new CommanderError(EXIT.invalid, "stagecraft.confirm", "error: a revert asks for confirmation, and stdin is not a terminal: pass --yes to revert without asking (--plan --down shows what would be reverted)");
  }
  const report = await preview();
  const lines: string[] = [];
  let count = 0;
  for (const db of report.databases) {
    const ids = db.migrations.filter((m) => m.action === "revert").map((m) => m.id).reverse();
    if (db.error) lines.push(`  ${db.name}: cannot be reverted — ${db.error.message}`);
    else if (ids.length > 0) lines.push(`  ${db.name}: ${ids.join(", ")}`);
    count += ids.length;
  }
  if (count === 0 && lines.length === 0) return undefined;
  const databases = report.databases.filter((db) => db.migrations.some((m) => m.action === "revert")).length;
  err.write(`about to revert (newest first):\n${lines.join("\n")}\n`);
  const question = `Revert ${count} migration${count === 1 ? "" : "s"} on ${databases} database${databases === 1 ? "" : "s"}? [y/N] `;
  const reader = createInterface({ input: process.stdin, output: err });
  const answer = await reader.question(question).finally(() => reader.close());
  if (/^\s*y(es)?\s*$/i.test(answer)) return undefined;
  err.write("nothing was reverted\n");
  return EXIT.invalid;
}

/**
 * Without `--strategy` or `--database`, `migrate` runs the pre-deploy phase only: say which
 * databases that leaves out and how to run them, so a post-deploy migration is never forgotten.
 */
export function leftOutNote(config: StagecraftConfig, flags: MigrateFlags, stream: NodeJS.WritableStream): void {
  if (flags.strategy !== undefined || flags.database !== undefined) return;
  const later = config.databases.filter((db) => db.strategy === "post_deploy" && !CLI_DEFAULT_STRATEGIES.includes(db.strategy));
  if (later.length === 0) return;
  const names = later.slice(0, NAMES_SHOWN).map((db) => db.name).join(", ") + (later.length > NAMES_SHOWN ? `, … ${later.length - NAMES_SHOWN} more` : "");
  const command = `stagecraft migrate --strategy post_deploy${flags.down ? " --down" : ""}`;
  stream.write(`note: ${later.length} post_deploy database${later.length === 1 ? "" : "s"} left out (${names}): run \`${command}\` after the new code is deployed\n`);
}
