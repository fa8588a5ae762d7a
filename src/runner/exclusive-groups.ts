import type { DatabaseConfig } from "../config/load.js";
import type { Env } from "../config/env.js";
import { parseConnectionUrl } from "../drivers/url.js";
import { defaultRegistry } from "../registry/default-registry.js";
import { urlOf } from "./prepare.js";

/**
 * Splits the databases to run into those that may run side by side and groups that must run
 * one at a time: databases of one server whose engine takes a server-wide lock there
 * (`Engine.serverWideLock`, e.g. Prisma's `GET_LOCK('prisma_migrate')` on MySQL). Queued here,
 * they wait for each other in the runner without a lock timeout, instead of failing on it.
 * `servers[i]` is the server of `databases[i]` (undefined for SQLite). `locking` is false for
 * plans, which take no lock.
 */
export function exclusiveGroups(databases: readonly DatabaseConfig[], servers: readonly (string | undefined)[], env: Env, workDir: string, locking: boolean): { shared: number[]; groups: number[][] } {
  const shared: number[] = [];
  const groups = new Map<string, number[]>();
  databases.forEach((db, index) => {
    const key = locking ? exclusiveKey(db, servers[index], env, workDir) : undefined;
    if (key === undefined) shared.push(index);
    else groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  return { shared, groups: [...groups.values()] };
}

function exclusiveKey(db: DatabaseConfig, server: string | undefined, env: Env, workDir: string): string | undefined {
  if (server === undefined || !defaultRegistry.has(db.engine)) return undefined;
  const lockOn = defaultRegistry.get(db.engine).serverWideLock;
  if (!Array.isArray(lockOn) || lockOn.length === 0) return undefined;
  // A server was found, so the URL is set and parses.
  const { dialect } = parseConnectionUrl(urlOf(db, env)!, workDir, db.connectionEnv);
  return lockOn.includes(dialect) ? `${db.engine} ${server}` : undefined;
}
