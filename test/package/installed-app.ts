import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const TSC = join(ROOT, "node_modules", ".bin", "tsc");
/** npm installs here come from npm's cache when it holds the package, else from the registry. */
const NPM_INSTALL = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"];
const INSTALL_TIMEOUT_MS = 600_000;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell: this test run's npm and stagecraft variables left out. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_package_|npm_lifecycle_|STAGECRAFT_|INIT_CWD$)/.test(key)));
}

/** Runs a command (asynchronously: a minute-long install must not block this test process). */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...userEnv(), ...env }, timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like {@link run}, but a non-zero exit throws with the output, so a setup step cannot fail quietly. */
export async function must(command: string, args: string[], cwd: string, timeoutMs?: number): Promise<string> {
  const result = await run(command, args, cwd, {}, timeoutMs);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

export interface PackedFile {
  path: string;
}

/**
 * Packs this project as `npm publish` would (the build already ran: `npm test` builds first, and
 * `prepack` rebuilding dist/ here would pull it from under the suites running beside this one).
 */
export async function pack(destination: string): Promise<{ tarball: string; files: PackedFile[] }> {
  if (!existsSync(join(ROOT, "dist", "src", "index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const [info] = JSON.parse(await must("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], ROOT)) as { filename: string; files: PackedFile[] }[];
  return { tarball: join(destination, info!.filename), files: info!.files };
}

/**
 * A fresh app outside this repository (so nothing resolves through the repo's node_modules) with
 * the tarball installed by `npm install`, as a user would.
 *
 * better-sqlite3 compiles from source where no prebuilt binary can be downloaded (as on this
 * machine: over a minute). Install scripts are therefore skipped and the binary this repository
 * built is copied in — only when both are the same better-sqlite3 version, so it is the very file
 * the install would have built; otherwise the app builds its own.
 */
export interface InstalledApp {
  dir: string;
  write: (path: string, text: string) => void;
  npmInstall: (...packages: string[]) => Promise<void>;
  cleanup: () => void;
}

export async function installedApp(tarball: string): Promise<InstalledApp> {
  const dir = mkdtempSync(join(tmpdir(), "stagecraft-app-"));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const npmInstall = async (...packages: string[]): Promise<void> => void (await must("npm", [...NPM_INSTALL, ...packages], dir, INSTALL_TIMEOUT_MS));
  write("package.json", `${JSON.stringify({ name: "app", private: true, type: "module" }, null, 2)}\n`);
  await npmInstall(tarball);
  const version = (root: string): string => (JSON.parse(readFileSync(join(root, "node_modules", "better-sqlite3", "package.json"), "utf8")) as { version: string }).version;
  const binary = join("node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node");
  if (existsSync(join(dir, "node_modules", "better-sqlite3"))) {
    if (version(dir) === version(ROOT) && existsSync(join(ROOT, binary))) {
      mkdirSync(dirname(join(dir, binary)), { recursive: true });
      copyFileSync(join(ROOT, binary), join(dir, binary));
    } else {
      await must("npm", ["rebuild", "better-sqlite3"], dir, INSTALL_TIMEOUT_MS);
    }
  }
  return { dir, write, npmInstall, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
