import { StagecraftError } from "../errors.js";

/**
 * The database clients (pg, mysql2) and knex are optional peer dependencies: a project installs
 * the ones its databases use. `load` imports a module that needs `pkg`; when `pkg` itself is what
 * cannot be found, the failure becomes `dependency_missing` naming the package to install. Any
 * other failure (a broken install, a bug) passes through untouched.
 */
export function withPeer<T>(pkg: string, neededFor: string, load: () => Promise<T>): () => Promise<T> {
  return () =>
    load().catch((error: unknown) => {
      throw isMissingPackage(error, pkg) ? peerMissing(pkg, neededFor, error) : error;
    });
}

/** The `dependency_missing` error for an uninstalled optional package. */
export function peerMissing(pkg: string, neededFor: string, cause?: unknown): StagecraftError {
  return new StagecraftError("dependency_missing", `the package ${pkg} is not installed; it is needed for ${neededFor}`, {
    hint: `npm install ${pkg} (an optional peer dependency of stagecraft: install it beside stagecraft in your project)`,
  }, { cause });
}

/** True when `error` says `pkg` (not some other module) cannot be found, from `import` or `require`. */
export function isMissingPackage(error: unknown, pkg: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  // "Cannot find package 'pg' imported from …" (import) or "Cannot find module 'knex/lib/…'" (require).
  const message = String((error as Error).message);
  return message.includes(`'${pkg}'`) || message.includes(`'${pkg}/`);
}
