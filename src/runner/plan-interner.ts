import type { Migration } from "../registry/engine.js";

/**
 * Shares what databases of one folder have in common. Every database of a fleet reports the same
 * migrations (id, description, checksum), each arriving as its own copy from its worker: kept as
 * they come, a 5,000-database report holds 5,000 copies of every string. Here a migration equal
 * to one already seen is replaced by that one, and the strings of a differing one (its own
 * `appliedAt`, say) by the strings already held, so only what differs per database stays.
 * Shared objects are frozen: a report's migrations are read-only.
 */
export class PlanInterner {
  /** Per folder: per migration id, the first applied and the first pending version seen. */
  readonly #folders = new Map<string, Map<string, { applied?: Migration; pending?: Migration }>>();
  /** Per folder: the last list handed out of each kind; a database whose list equals it gets that list. */
  readonly #lastMigrations = new Map<string, readonly Migration[]>();
  readonly #lastIds = new Map<string, readonly string[]>();

  migrations<M extends Migration>(folder: string, migrations: readonly M[]): M[] {
    let known = this.#folders.get(folder);
    if (known === undefined) this.#folders.set(folder, (known = new Map()));
    const list = migrations.map((m) => {
      let versions = known.get(m.id);
      if (versions === undefined) known.set(m.id, (versions = {}));
      const slot = m.applied ? "applied" : "pending";
      const seen = versions[slot] ?? versions.applied ?? versions.pending;
      if (seen === undefined) return (versions[slot] = Object.freeze({ ...m }) as Migration) as M;
      if (sameFields(m, seen)) return seen as M;
      const copy = Object.freeze(reuseStrings(m, seen)) as M;
      versions[slot] ??= copy;
      return copy;
    });
    return this.#reuse(this.#lastMigrations, folder, list) as M[];
  }

  /** The IDs with the strings already held for them. */
  ids(folder: string, ids: readonly string[]): string[] {
    const known = this.#folders.get(folder);
    if (ids.length === 0) return NO_IDS as string[];
    return this.#reuse(this.#lastIds, folder, known === undefined ? [...ids] : ids.map((id) => known.get(id)?.applied?.id ?? known.get(id)?.pending?.id ?? id));
  }

  /**
   * The list last handed out for `folder` when `list` holds the same items, else `list` (frozen,
   * and remembered): the databases of a fleet mostly report one list, and a list per database
   * is an array per database kept until the report is done.
   */
  #reuse<T>(last: Map<string, readonly T[]>, folder: string, list: T[]): T[] {
    const held = last.get(folder);
    if (held !== undefined && held.length === list.length && held.every((item, i) => item === list[i])) return held as T[];
    last.set(folder, Object.freeze(list));
    return list;
  }
}

const NO_IDS: readonly string[] = Object.freeze([]);

function sameFields(a: Migration, b: Migration): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => (a as unknown as Record<string, unknown>)[key] === (b as unknown as Record<string, unknown>)[key]);
}

function reuseStrings(m: Migration, held: Migration): Migration {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(m)) {
    const mine = (held as unknown as Record<string, unknown>)[key];
    out[key] = typeof value === "string" && value === mine ? mine : value;
  }
  return out as unknown as Migration;
}
