import type { Env } from "../config/env.js";
import type { FleetSettings } from "../config/fleet-schema.js";
import { DATABASE_NAME } from "../config/schema.js";
import { parseConnectionUrl } from "../drivers/url.js";
import { scrubSecrets } from "../errors.js";
import { withCredentialParams } from "./secrets.js";
import { readSource, type FleetRow } from "./sources.js";
import { compileTemplate, renderTemplate, type Template } from "./template.js";

/** Problems reported per fleet before the rest are summarised in one line. */
export const MAX_PROBLEMS_PER_FLEET = 20;

/** One database a fleet expanded into: what the main thread keeps per member, nothing more. */
export interface FleetMember {
  name: string;
  url: string;
  tags: string[];
  /** Fields from the source other than `name` and `url` (catalog columns, list keys, `path`); any part of the URL's password in them is `***`. */
  attributes: Record<string, string>;
  /** Which row it came from, for messages: `row 3`, `item 2`, `file …`. */
  source: string;
}

/** A problem found while expanding, at a path below `databases.<entry>`. */
export interface FleetProblem {
  path: (string | number)[];
  message: string;
  hint?: string;
}

export interface Expansion {
  kind?: "list" | "query" | "glob";
  members: FleetMember[];
  problems: FleetProblem[];
}

/**
 * Turns a fleet entry into its members: reads the source, renders the name, URL and tag
 * templates per row, and checks each result. Every problem names the row (by index and, when
 * it has one, by name); none names a URL, which may hold a password.
 */
export async function expandFleet(entry: string, fleet: FleetSettings, staticTags: readonly string[], dir: string, env: Env): Promise<Expansion> {
  const problems: FleetProblem[] = [];
  const compile = (source: string, path: (string | number)[]): Template => {
    const missing: string[] = [];
    const template = compileTemplate(source, env, missing);
    for (const variable of missing) problems.push({ path, message: `environment variable ${variable} is not set (used as \${${variable}})`, hint: `set ${variable}, or write $\${${variable}} for a literal \${${variable}}` });
    return template;
  };
  const nameTemplate = compile(fleet.name, ["fleet", "name"]);
  const urlTemplate = fleet.url === undefined ? undefined : compile(fleet.url, ["fleet", "url"]);
  const tagTemplates = fleet.tags.map((tag, index) => compile(tag, ["fleet", "tags", index]));
  if (problems.length > 0) return { members: [], problems };

  const source = await readSource(fleet, dir, env);
  if (!source.ok) return { members: [], problems: [{ path: source.path, message: source.message, hint: source.hint }] };

  const members: FleetMember[] = [];
  const taken = new Map<string, string>();
  const shared = new Sharing();
  let extra = 0;
  const report = (row: FleetRow, problem: string, hint?: string): void => {
    if (problems.length >= MAX_PROBLEMS_PER_FLEET) {
      extra++;
      return;
    }
    const name = row.fields.get("name");
    problems.push({ path: row.path, message: `${row.label}${name === undefined ? "" : ` (${name})`}: ${problem}`, ...(hint === undefined ? {} : { hint }) });
  };
  const missingField = (row: FleetRow, key: string, field: string): string => {
    const known = [...row.fields.keys()].filter((k) => k !== "url");
    return `fleet.${key} uses {{${field}}}, which this ${row.label.split(" ")[0]} does not have (it has: ${known.join(", ") || "nothing"})`;
  };

  for (const row of source.rows) {
    if ((row.fields.get("name") ?? "") === "") {
      report(row, source.kind === "query" ? "has no name: the query must return a `name` column with a value in every row" : "has no name");
      continue;
    }
    const name = renderTemplate(nameTemplate, row.fields);
    if (!name.ok) {
      report(row, missingField(row, "name", name.missing), "add the field to every row, or change the template");
      continue;
    }
    if (!DATABASE_NAME.test(name.value)) {
      report(row, `member name "${name.value}" is not a valid database name (letters, digits, _, . and - only)`, "fix the name in the source, or change fleet.name");
      continue;
    }
    const first = taken.get(name.value);
    if (first !== undefined) {
      report(row, `member name ${name.value} is taken twice in fleet ${entry}: also by ${first}`, "names must be unique: fix the source, or put more fields in fleet.name");
      continue;
    }
    taken.set(name.value, row.label);
    const url = urlTemplate === undefined ? { ok: true as const, value: row.fields.get("url") } : renderTemplate(urlTemplate, row.fields);
    if (!url.ok) {
      report(row, missingField(row, "url", url.missing), "add the field to every row, or change the template");
      continue;
    }
    if (url.value === undefined || url.value === "") {
      report(row, "has no URL: set fleet.url (a template), or give every row a url", "e.g. url: postgres://app:${TENANT_PASSWORD}@db:5432/t_{{name}}");
      continue;
    }
    const checked = checkUrl(url.value, dir);
    if (!checked.ok) {
      report(row, `member ${name.value}: its URL is unusable: ${checked.problem}`, "fix fleet.url or the source's url (postgres://…, mysql://…, sqlite:<path>)");
      continue;
    }
    const tags = new Set([...staticTags, ...row.tags]);
    let tagProblem: string | undefined;
    for (const [index, template] of tagTemplates.entries()) {
      const tag = renderTemplate(template, row.fields);
      if (!tag.ok) tagProblem = missingField(row, `tags[${index}]`, tag.missing);
      else if (!/^[^\s,]+$/.test(tag.value)) tagProblem = `tag "${tag.value}" (from fleet.tags[${index}]) must be non-empty, without spaces or commas`;
      else tags.add(tag.value);
      if (tagProblem !== undefined) break;
    }
    const badRowTag = row.tags.find((tag) => /\s/.test(tag));
    if (tagProblem === undefined && badRowTag !== undefined) tagProblem = `tag "${badRowTag}" must not contain spaces`;
    if (tagProblem !== undefined) {
      report(row, tagProblem);
      continue;
    }
    // A column that fed the URL's password (`{{secret}}`) is a secret too: kept only scrubbed.
    // fromEntries defines keys, so a column named __proto__ stays a column.
    const secrets = withCredentialParams(url.value, checked.secrets);
    const attributes = Object.fromEntries([...row.fields].filter(([key]) => key !== "name" && key !== "url").map(([key, value]) => [key, shared.string(scrubSecrets(value, secrets))]));
    members.push({ name: name.value, url: url.value, tags: shared.tags([...tags].sort()), attributes: shared.attributes(attributes), source: row.label });
  }
  if (extra > 0) problems.push({ path: ["fleet"], message: `and ${extra} more row${extra === 1 ? "" : "s"} of fleet ${entry} with problems (the first ${MAX_PROBLEMS_PER_FLEET} are listed)` });
  return { kind: source.kind, members, problems };
}

/**
 * Hands out one copy of what many members of a fleet have alike: every row of a catalog arrives
 * with its own strings, so 20,000 tenants in three regions would otherwise hold 20,000 copies of
 * "eu", of ["eu", "tier-pro"] and of { region: "eu", tier: "pro" } (bench/fleet-memory). Shared
 * arrays and objects are frozen: a member's tags and attributes are read-only.
 */
class Sharing {
  readonly #strings = new Map<string, string>();
  readonly #tags = new Map<string, string[]>();
  readonly #attributes = new Map<string, Record<string, string>>();

  /** Short values only: a long one (a description, a JSON blob) is rarely repeated, and would only grow the table. */
  string(value: string): string {
    if (value.length > 64) return value;
    const held = this.#strings.get(value);
    if (held !== undefined) return held;
    this.#strings.set(value, value);
    return value;
  }

  tags(tags: string[]): string[] {
    const key = tags.join("\n");
    let held = this.#tags.get(key);
    if (held === undefined) this.#tags.set(key, (held = Object.freeze(tags.map((tag) => this.string(tag))) as string[]));
    return held;
  }

  attributes(attributes: Record<string, string>): Record<string, string> {
    const key = JSON.stringify(attributes);
    // Long ones are rarely alike: kept as they are, read-only like the shared ones.
    if (key.length > 256) return Object.freeze(attributes);
    let held = this.#attributes.get(key);
    if (held === undefined) this.#attributes.set(key, (held = Object.freeze(attributes)));
    return held;
  }
}

/** The URL's password forms, or why the URL cannot be used (without repeating it). */
function checkUrl(url: string, dir: string): { ok: true; secrets: string[] } | { ok: false; problem: string } {
  try {
    return { ok: true, secrets: parseConnectionUrl(url, dir, "").secrets };
  } catch (error) {
    // The parser's message names the variable a URL came from; a member's URL came from a template.
    return { ok: false, problem: (error as Error).message.replace(/^the connection URL in \$\S* is unusable: /, "") };
  }
}
