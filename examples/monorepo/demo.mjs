// `npm run demo`: migrates the example's databases from scratch and shows the plan before and after.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
rmSync(new URL("data", import.meta.url), { recursive: true, force: true });

// A deploy's two phases: pre_deploy databases first (plain `migrate`), post_deploy (analytics) after.
for (const args of [["migrate", "--plan", "--strategy", "pre_deploy,post_deploy"], ["migrate"], ["migrate", "--strategy", "post_deploy"], ["migrate", "--plan", "--strategy", "pre_deploy,post_deploy"]]) {
  process.stdout.write(`\n$ stagecraft ${args.join(" ")}\n`);
  const { status } = spawnSync(process.execPath, [cli, ...args], { cwd: here, stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}
