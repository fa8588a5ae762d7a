// `npm run demo:tenants`: loads the tenant catalog, then shows fleet expansion, selection and a run.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const here = fileURLToPath(new URL(".", import.meta.url));
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
rmSync(new URL("data", import.meta.url), { recursive: true, force: true });
mkdirSync(new URL("data", import.meta.url));
const catalog = new Database(fileURLToPath(new URL("data/catalog.db", import.meta.url)));
catalog.exec(readFileSync(new URL("catalog.sql", import.meta.url), "utf8"));
catalog.close();

const steps = [
  ["validate"],                                      // the fleet expands to 50 members
  ["migrate", "--plan", "-d", "tenant_00*"],         // a glob pattern: tenant_001 … tenant_009
  ["migrate", "--tag", "eu", "--tag", "tier-enterprise"], // tags: eu AND tier-enterprise
  ["migrate", "--exclude", "billing"],               // every tenant (billing is left out)
  ["migrate", "--plan"],                             // all up to date but billing
];
for (const args of steps) {
  process.stdout.write(`\n$ stagecraft ${args.map((a) => (/[*\s]/.test(a) ? `'${a}'` : a)).join(" ")}\n`);
  const { status } = spawnSync(process.execPath, [cli, ...args], { cwd: here, stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}
