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
    const intern = (m: M): M => {
      let versions = known.get(m.id);
      if (versions === undefined) known.set(m.id, (versions = {}));
      const slot = m.applied ? "applied" : "pending";
      const seen = versions[slot] ?? versions.applied ?? versions.pending;
      if (seen === undefined) return (versions[slot] = Object.freeze({ ...m }) as Migration) as M;
      if (sameFields(m, seen)) return seen as M;
      const copy = Object.freeze(reuseStrings(m, seen)) as M;
      versions[slot] ??= copy;
      return copy;
    };
    return this.#reuse(this.#lastMigrations as Map<string, readonly M[]>, folder, migrations, intern);
  }

  /** The IDs with the strings already held for them. */
  ids(folder: string, ids: readonly string[]): string[] {
    if (ids.length === 0) return NO_IDS as string[];
    const known = this.#folders.get(folder);
    return this.#reuse(this.#lastIds, folder, ids, (id) => known?.get(id)?.applied?.id ?? known?.get(id)?.pending?.id ?? id);
  }

  /**
   * `items` mapped by `intern`: the list last handed out for `folder` when it holds the same
   * items (no list is made then), else a new list (frozen, and remembered). The databases of a
   * fleet mostly report one list, and a list per database is an array per database.
   */
  #reuse<T>(last: Map<string, readonly T[]>, folder: string, items: readonly T[], intern: (item: T) => T): T[] {
    const held = last.get(folder);
    let list: T[] | undefined = held !== undefined && held.length === items.length ? undefined : [];
    for (let i = 0; i < items.length; i++) {
      const item = intern(items[i]!);
      if (list === undefined) {
        if (item === held![i]) continue;
        list = held!.slice(0, i);
      }
      list.push(item);
    }
    if (list === undefined) return held as T[];
    last.set(folder, Object.freeze(list));
    return list;
  }
}

const NO_IDS: readonly string[] = Object.freeze([]);

/** Whether `a` and `b` have the same own keys with identical values (without listing them: this runs for every migration of every database). */
function sameFields(a: Migration, b: Migration): boolean {
  const left = a as unknown as Record<string, unknown>;
  const right = b as unknown as Record<string, unknown>;
  let keys = 0;
  for (const key in left) {
    if (!Object.hasOwn(right, key) || left[key] !== right[key]) return false;
    keys++;
  }
  for (const key in right) if (Object.hasOwn(right, key)) keys--;
  return keys === 0;
}

function reuseStrings(m: Migration, held: Migration): Migration {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(m)) {
    const mine = (held as unknown as Record<string, unknown>)[key];
    out[key] = typeof value === "string" && value === mine ? mine : value;
  }
  return out as unknown as Migration;
}
