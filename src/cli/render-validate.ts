import type { StagecraftConfig } from "../config/load.js";
import { readEnv, type Env } from "../config/env.js";
import { scrubSecrets } from "../errors.js";
import { displayUrl, urlSecrets } from "../fleet/secrets.js";
import { select, type Selection } from "../runner/select.js";
import type { ValidationIssue } from "./validate-checks.js";

/** Members of a fleet named in text output before the rest are counted; `--verbose` names all. */
export const MEMBERS_SHOWN = 5;

export interface ValidatedDatabase {
  name: string;
  engine: string;
  strategy: string;
  tags: readonly string[];
  connection_env?: string;
  connection_env_set?: boolean;
  fleet?: string;
  /** A member's URL with its password and credential parameters replaced by `***`. */
  url?: string;
  attributes?: Record<string, string>;
}

/** What `validate --json` prints. */
export interface Validation {
  /** No issue of severity `error` (warnings allowed). */
  ok: boolean;
  file: string;
  /** Every fleet entry and how many members it expanded to. */
  fleets: { entry: string; source: string; members: number }[];
  /** The selected databases (all, without selection flags), fleet members included. */
  databases: ValidatedDatabase[];
  /** What the checks found, errors first; empty when all is well. */
  issues: ValidationIssue[];
  summary: { errors: number; warnings: number };
  /** With `--connect`: how many databases were reached and their bookkeeping read. */
  connected?: number;
}

/** The validation with what the checks found. */
export function withIssues(validation: Validation, issues: readonly ValidationIssue[], connected: number | undefined): Validation {
  const sorted = [...issues.filter((i) => i.severity === "error"), ...issues.filter((i) => i.severity !== "error")];
  const errors = issues.filter((i) => i.severity === "error").length;
  return { ...validation, ok: errors === 0, issues: sorted, summary: { errors, warnings: issues.length - errors }, ...(connected === undefined ? {} : { connected }) };
}

export function describeValidation(config: StagecraftConfig, selection: Selection, env: Env): Validation {
  const selected = select(config, { ...selection, strategies: ["pre_deploy", "post_deploy", "manual"] });
  const databases = selected.map((db): ValidatedDatabase => {
    const base = { name: db.name, engine: db.engine, strategy: db.strategy, tags: db.tags ?? [] };
    if (db.url === undefined) return { ...base, connection_env: db.connectionEnv, connection_env_set: (readEnv(env, db.connectionEnv) ?? "") !== "" };
    // A password may come from a catalog column as well as from ${VAR}: scrub attributes too.
    const secrets = urlSecrets(db.url, config.dir);
    const attributes = Object.fromEntries(Object.entries(db.attributes ?? {}).map(([key, value]) => [key, scrubSecrets(value, secrets)]));
    return { ...base, fleet: db.fleet ?? "", url: displayUrl(db.url, config.dir), attributes };
  });
  const fleets = (config.fleets ?? []).map((f) => ({ entry: f.entry, source: f.source, members: f.members.length }));
  return { ok: true, file: config.file, fleets, databases, issues: [], summary: { errors: 0, warnings: 0 } };
}

/** Plain databases one per line; fleets as a count and their first members (all of them with `verbose`). */
export function renderValidation(validation: Validation, verbose: boolean): string {
  const { databases, fleets } = validation;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  const { errors, warnings } = validation.summary;
  const verdict = validation.ok ? "valid" : `invalid (${plural(errors, "error")})`;
  const lines = [`${validation.file}: ${verdict}, ${plural(databases.length, "database")}${fleets.length > 0 ? ` (${plural(databases.filter((d) => d.fleet !== undefined).length, "fleet member")})` : ""}`];
  const tags = (db: ValidatedDatabase): string => (db.tags.length > 0 ? ` [${db.tags.join(", ")}]` : "");
  for (const db of databases) {
    if (db.fleet !== undefined) continue;
    lines.push(`  ${db.name}: ${db.engine}, ${db.strategy}${tags(db)}${db.connection_env_set ? "" : ` (${db.connection_env} is not set)`}`);
  }
  for (const fleet of fleets) {
    const members = databases.filter((db) => db.fleet === fleet.entry);
    const first = members[0];
    const selectedNote = members.length === fleet.members ? "" : `, ${members.length} selected`;
    lines.push(`  ${fleet.entry}: fleet (${fleet.source}), expanded to ${plural(fleet.members, "member")}${selectedNote}${first ? ` — ${first.engine}, ${first.strategy}` : ""}`);
    const shown = verbose ? members : members.slice(0, MEMBERS_SHOWN);
    for (const db of shown) lines.push(`    ${db.name}${tags(db)}${verbose ? `  ${db.url}` : ""}`);
    if (shown.length < members.length) lines.push(`    … and ${members.length - shown.length} more (--verbose or --json lists them)`);
  }
  if (validation.connected !== undefined) lines.push(`connected: ${validation.connected} of ${plural(databases.length, "database")} reached and their migration state read`);
  if (validation.issues.length > 0) lines.push("", `${plural(errors, "error")}, ${plural(warnings, "warning")}:`);
  for (const issue of validation.issues) {
    lines.push(`  ${issue.severity === "error" ? "error" : "warning"} [${issue.code}] ${issue.databases.join(", ")}: ${issue.message}`);
    if (issue.hint) lines.push(`    hint: ${issue.hint}`);
  }
  return lines.join("\n");
}
