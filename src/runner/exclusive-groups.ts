import { parseConnectionUrl } from "../drivers/url.js";
import { defaultRegistry } from "../registry/default-registry.js";
import type { Prepared } from "./prepare.js";

/**
 * Splits the databases to run into those that may run side by side and groups that must run
 * one at a time: databases of one server whose engine takes a server-wide lock there
 * (`Engine.serverWideLock`, e.g. Prisma's `GET_LOCK('prisma_migrate')` on MySQL). Queued here,
 * they wait for each other in the runner without a lock timeout, instead of failing on it.
 * `locking` is false for plans, which take no lock.
 */
export function exclusiveGroups(prepared: readonly Prepared[], workDir: string, locking: boolean): { shared: number[]; groups: number[][] } {
  const shared: number[] = [];
  const groups = new Map<string, number[]>();
  prepared.forEach((item, index) => {
    const key = locking ? exclusiveKey(item, workDir) : undefined;
    if (key === undefined) shared.push(index);
    else groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  return { shared, groups: [...groups.values()] };
}

function exclusiveKey(item: Prepared, workDir: string): string | undefined {
  if (item.server === undefined || item.url === undefined || !defaultRegistry.has(item.db.engine)) return undefined;
  const lockOn = defaultRegistry.get(item.db.engine).serverWideLock;
  if (!Array.isArray(lockOn) || lockOn.length === 0) return undefined;
  const { dialect } = parseConnectionUrl(item.url, workDir, item.db.connectionEnv);
  return lockOn.includes(dialect) ? `${item.db.engine} ${item.server}` : undefined;
}
