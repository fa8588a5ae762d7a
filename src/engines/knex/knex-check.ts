import { extname, join } from "node:path";
import type { CheckIssue, CheckOptions } from "../../registry/engine-offline.js";
import type { PlanOptions } from "../../registry/engine.js";
import { errorIssue, warningIssue } from "../shared/check-sources.js";
import { readKnexConfig } from "./settings.js";
import { readKnexSource } from "./knex-source.js";

const TYPESCRIPT = [".ts", ".mts", ".cts"];

/**
 * `stagecraft validate` for knex folders: the folders read as knex lists them, files knex would
 * skip, and TypeScript migrations in a process that cannot load them. Modules are not imported:
 * that would run the project's code.
 */
export async function check(opts: CheckOptions): Promise<CheckIssue[]> {
  try {
    const config = readKnexConfig(opts.config);
    const source = await readKnexSource(config, { migrationPath: opts.migrationPath, workDir: opts.workDir } as PlanOptions);
    const issues = source.warnings.map(warningIssue);
    const typescript = source.files.filter((f) => TYPESCRIPT.includes(extname(f.file)));
    if (typescript.length > 0 && !canLoadTypeScript()) {
      const first = join(typescript[0]!.directory, typescript[0]!.file);
      issues.push({
        severity: "error",
        code: "no_loader",
        message: `${typescript.length} TypeScript migration${typescript.length === 1 ? "" : "s"} (${first}${typescript.length > 1 ? ", …" : ""}) cannot be loaded: this Node.js ${process.version} process has no TypeScript loader`,
        file: first,
        hint: "compile the migrations to .js, or run stagecraft with a loader (node --import tsx …, or NODE_OPTIONS=\"--import tsx\")",
      });
    }
    return issues;
  } catch (error) {
    return [errorIssue(error)];
  }
}

/** Node strips types itself (22.18+/23.6+), or a loader (tsx, ts-node, …) was given to this process. */
function canLoadTypeScript(): boolean {
  if ((process.features as { typescript?: unknown }).typescript) return true;
  const flags = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
  return /--(?:import|loader|experimental-loader|require|r)[= ]\S*(?:tsx|ts-node|@swc-node|esbuild-register|@esbuild-kit|jiti)/.test(flags) || /--experimental-strip-types|--experimental-transform-types/.test(flags);
}
