import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";
import type { Strategy } from "../config/schema.js";
import { StagecraftError } from "../errors.js";
import { isPattern, nameMatcher } from "../fleet/pattern.js";
import { inShard, shardProblem, type Shard } from "../fleet/shard.js";

/** What a call works on. Every field narrows; see {@link select} for the order. */
export interface Selection {
  /** Names, glob patterns (`tenant_0*`) or fleet entry names (all its members), any strategy. */
  databases?: readonly string[];
  /** Tag groups: a database must match every group; a group `eu,us` matches either tag. */
  tags?: readonly string[];
  /** Names, glob patterns or fleet entry names to leave out. */
  exclude?: readonly string[];
  /** Used only when `databases` is not given. @default ["pre_deploy", "post_deploy"] */
  strategies?: readonly Strategy[];
  /** This shard of what the other fields select (docs/ledger.md): `{ index: 0, count: 4 }` … `{ index: 3, count: 4 }`. */
  shard?: Shard;
  /** Exact names, applied last: what `--only-failed` reads from the ledger. */
  only?: readonly string[];
  /**
   * Only databases with one of these strategies, whether or not `databases` is given (the
   * CLI's `--strategy`): `-d 'tenant_*' --strategy post_deploy` keeps the post-deploy ones.
   */
  strategyFilter?: readonly Strategy[];
}

/** Strategies a call runs when it names no database: `manual` ones run only when named. */
export const DEFAULT_STRATEGIES: readonly Strategy[] = ["pre_deploy", "post_deploy"];
/** Up to this many defined names are listed in a "matches nothing" message; past it, a count. */
const LIST_NAMES_UP_TO = 20;

export type SelectResult = { ok: true; databases: DatabaseConfig[] } | { ok: false; problems: string[] };

/**
 * The databases a call works on, in config order (sorted by name). Pure: it reads only its
 * arguments. Steps: `databases` (or the strategy filter), then `tags`, then `exclude`. A
 * pattern, entry name or tag that matches nothing in the config is a problem (a typo in a
 * deploy job must not silently migrate nothing), and so is an empty result of a narrowed
 * selection. Later steps (`--shard K/N`, `--only-failed`) narrow the list this returns.
 */
export function selectDatabases(all: readonly DatabaseConfig[], selection: Selection): SelectResult {
  const problems: string[] = [];
  let selected: DatabaseConfig[];
  if (selection.databases !== undefined && selection.databases.length > 0) {
    const matchers = selection.databases.map((pattern) => ({ pattern, test: matcher(pattern), hits: 0 }));
    selected = all.filter((db) => {
      let hit = false;
      for (const m of matchers) if (m.test(db)) (m.hits++, (hit = true));
      return hit;
    });
    for (const m of matchers) if (m.hits === 0) problems.push(nothingMatches(m.pattern, all));
  } else {
    const strategies = selection.strategies ?? DEFAULT_STRATEGIES;
    selected = all.filter((db) => strategies.includes(db.strategy));
  }
  if (selection.strategyFilter !== undefined) {
    const wanted = selection.strategyFilter;
    selected = selected.filter((db) => wanted.includes(db.strategy));
  }
  for (const group of selection.tags ?? []) {
    const wanted = group.split(",").map((tag) => tag.trim()).filter((tag) => tag !== "");
    if (wanted.length === 0) {
      problems.push(`--tag "${group}" names no tag`);
      continue;
    }
    const unknown = wanted.filter((tag) => !all.some((db) => db.tags?.includes(tag)));
    if (unknown.length > 0) problems.push(`no database has the tag${unknown.length > 1 ? "s" : ""} ${unknown.map((t) => `"${t}"`).join(", ")}${describeTags(all)}`);
    selected = selected.filter((db) => wanted.some((tag) => db.tags?.includes(tag)));
  }
  for (const pattern of selection.exclude ?? []) {
    const test = matcher(pattern);
    if (!all.some(test)) problems.push(nothingMatches(pattern, all, "--exclude"));
    selected = selected.filter((db) => !test(db));
  }
  const narrowed = (selection.databases?.length ?? 0) + (selection.tags?.length ?? 0) + (selection.exclude?.length ?? 0) + (selection.strategyFilter?.length ?? 0) > 0;
  if (problems.length === 0 && narrowed && selected.length === 0 && all.length > 0) {
    const named = selection.databases !== undefined && selection.databases.length > 0;
    const strategies = selection.strategyFilter ?? (named ? undefined : selection.strategies ?? DEFAULT_STRATEGIES);
    const manualNote = strategies === undefined ? "" : ` (only databases whose strategy is ${strategies.join(" or ")} are selected${named || selection.strategyFilter !== undefined ? "" : " without --database"})`;
    problems.push(`the selection is empty: each filter matches some database, but together they leave none${manualNote}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  // A shard or a rerun list may leave nothing: that is a legitimate, empty share of the work.
  if (selection.shard !== undefined) {
    const problem = shardProblem(selection.shard);
    if (problem) return { ok: false, problems: [problem] };
    const shard = selection.shard;
    selected = selected.filter((db) => inShard(db.name, shard));
  }
  if (selection.only !== undefined) {
    const only = new Set(selection.only);
    selected = selected.filter((db) => only.has(db.name));
  }
  return { ok: true, databases: selected };
}

/** {@link selectDatabases} for a loaded config; throws an `invalid_config` error listing every problem. */
export function select(config: StagecraftConfig, selection: Selection): DatabaseConfig[] {
  const result = selectDatabases(config.databases, selection);
  if (result.ok) return result.databases;
  const count = result.problems.length === 1 ? "1 problem" : `${result.problems.length} problems`;
  throw new StagecraftError("invalid_config", `invalid selection (${count}) in ${config.file}:\n${result.problems.map((p) => `  ${p}`).join("\n")}`, {
    hint: "`stagecraft validate --json` lists every database with its tags",
  });
}

/** A database matches a pattern through its own name or its fleet entry's name. */
function matcher(pattern: string): (db: DatabaseConfig) => boolean {
  const test = nameMatcher(pattern);
  return (db) => test(db.name) || (db.fleet !== undefined && test(db.fleet));
}

function nothingMatches(pattern: string, all: readonly DatabaseConfig[], flag = "--database"): string {
  const what = isPattern(pattern) ? `${flag === "--exclude" ? "--exclude " : ""}pattern "${pattern}" matches no database` : `no database named ${pattern}`;
  if (all.length <= LIST_NAMES_UP_TO) return `${what}; defined: [${all.map((db) => db.name).join(", ")}]`;
  const fleets = new Map<string, number>();
  for (const db of all) if (db.fleet !== undefined) fleets.set(db.fleet, (fleets.get(db.fleet) ?? 0) + 1);
  const described = [...fleets].slice(0, LIST_NAMES_UP_TO).map(([entry, n]) => `${entry} (${n} members)`).join(", ");
  return `${what}; ${all.length} databases are defined${described === "" ? "" : `, among them the fleets ${described}`}`;
}

function describeTags(all: readonly DatabaseConfig[]): string {
  const tags = new Set<string>();
  for (const db of all) for (const tag of db.tags ?? []) tags.add(tag);
  if (tags.size === 0) return "; no database has tags";
  const sorted = [...tags].sort();
  return `; tags in use: [${sorted.slice(0, LIST_NAMES_UP_TO).join(", ")}${sorted.length > LIST_NAMES_UP_TO ? `, … ${sorted.length - LIST_NAMES_UP_TO} more` : ""}]`;
}
