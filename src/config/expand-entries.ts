import { expandFleet, MAX_PROBLEMS_PER_FLEET } from "../fleet/expand.js";
import { compareStrings } from "../util/text.js";
import { checkEntry, isRecord, type CheckContext, type DatabaseConfig, type SharedSettings } from "./check-database.js";
import type { ConfigIssue } from "./config-error.js";
import type { Env } from "./env.js";
import { fleetSchema, tagsSchema, type FleetSettings } from "./fleet-schema.js";

/** What one fleet entry expanded to, for `validate`. */
export interface FleetSummary {
  entry: string;
  source: "list" | "query" | "glob";
  /** Member names, sorted. */
  members: string[];
}

/**
 * Checks every entry and expands fleet entries into their members, in the main thread, so
 * the rest of stagecraft sees only databases. Member names must be unique across the whole
 * config, and must not repeat an entry's name (`--database ENTRY` selects a fleet's members).
 */
export async function checkEntries(entries: [string, unknown][], ctx: CheckContext & { env: Env }, issues: ConfigIssue[]): Promise<{ databases: DatabaseConfig[]; fleets: FleetSummary[] }> {
  const databases: DatabaseConfig[] = [];
  const fleets: FleetSummary[] = [];
  /** Name → where it was defined, for a clash message that names both sources. */
  // A member's origin is its entry and row, put in words only for a clash: 20,000 members need no 20,000 messages.
  const origin = new Map<string, string | { entry: string; source: string }>(entries.map(([name, db]) => [name, `databases.${name}${isFleet(db) ? " (a fleet entry)" : ""}`]));
  const described = (where: string | { entry: string; source: string }): string => (typeof where === "string" ? where : `databases.${where.entry} (${where.source})`);
  let clashes = 0;
  for (const [name, raw] of [...entries].sort(([a], [b]) => compareStrings(a, b))) {
    const fleet = isFleet(raw);
    const checked = await checkEntry(name, raw, fleet, ctx);
    issues.push(...checked.issues);
    if (!fleet) {
      if (checked.shared) databases.push({ name, connectionEnv: (checked.data as { connection_env: string }).connection_env, ...checked.shared });
      continue;
    }
    // A fleet whose `fleet:` block is unusable cannot be expanded; other problems (engine, folder) do not stop it.
    const settings = fleetSettings(raw);
    if (settings === undefined) continue;
    const expansion = await expandFleet(name, settings.fleet, settings.tags, ctx.dir, ctx.env);
    for (const problem of expansion.problems) issues.push(ctx.at(["databases", name, ...problem.path], `fleet ${name}: ${problem.message}`, problem.hint));
    if (expansion.kind !== undefined) fleets.push({ entry: name, source: expansion.kind, members: expansion.members.map((m) => m.name).sort(compareStrings) });
    for (const member of expansion.members) {
      const first = origin.get(member.name);
      if (first !== undefined) {
        if (clashes++ < MAX_PROBLEMS_PER_FLEET) {
          issues.push(ctx.at(["databases", name, "fleet"], `database name ${member.name} is defined twice: by ${described(first)} and by ${described({ entry: name, source: member.source })}`, "names are unique across the whole config: rename one, or change fleet.name (e.g. tenant_{{name}})"));
        }
        continue;
      }
      origin.set(member.name, { entry: name, source: member.source });
      if (!checked.shared) continue;
      databases.push(new FleetMemberConfig(member.name, checked.shared, member.tags, name, member.attributes, member.url));
    }
  }
  if (clashes > MAX_PROBLEMS_PER_FLEET) {
    issues.push(ctx.at(["databases"], `and ${clashes - MAX_PROBLEMS_PER_FLEET} more names defined twice (the first ${MAX_PROBLEMS_PER_FLEET} are listed)`));
  }
  databases.sort((a, b) => compareStrings(a.name, b.name));
  return { databases, fleets };
}

/**
 * A fleet member as a database: its entry's settings, its own name, tags, attributes and URL.
 * The URL is an accessor, not an own key (like pg-pool's password): logging or serialising a
 * config never prints it. A class rather than a literal plus `defineProperty`, whose
 * non-enumerable key moved every member's keys out of the object into a second allocation
 * (1.7 MiB over 20,000 members, bench/fleet-memory).
 */
interface FleetMemberConfig extends SharedSettings {}
class FleetMemberConfig implements DatabaseConfig {
  declare name: string;
  declare connectionEnv: string;
  declare tags: readonly string[];
  declare fleet: string;
  declare attributes: Readonly<Record<string, string>>;
  readonly #url: string;

  constructor(name: string, shared: SharedSettings, tags: readonly string[], fleet: string, attributes: Readonly<Record<string, string>>, url: string) {
    this.name = name;
    this.connectionEnv = "";
    Object.assign(this, shared);
    this.tags = tags;
    this.fleet = fleet;
    this.attributes = attributes;
    this.#url = url;
  }

  get url(): string {
    return this.#url;
  }
}

function isFleet(raw: unknown): boolean {
  return isRecord(raw) && Object.hasOwn(raw, "fleet");
}

/**
 * The entry's fleet block (defaults filled) and static tags when the fleet block itself is
 * valid, even if another key of the entry is not: the fleet's own problems are still worth
 * reporting in the same run.
 */
function fleetSettings(raw: unknown): { fleet: FleetSettings; tags: string[] } | undefined {
  if (!isRecord(raw)) return undefined;
  const fleet = fleetSchema.safeParse(raw.fleet);
  if (!fleet.success) return undefined;
  const tags = tagsSchema.safeParse(raw.tags ?? []);
  return { fleet: fleet.data, tags: tags.success ? tags.data : [] };
}
