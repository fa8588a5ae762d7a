import { basename, extname } from "node:path";
import type { Env } from "../config/env.js";
import type { FleetSettings } from "../config/fleet-schema.js";
import { queryCatalog } from "./catalog.js";
import { globFiles } from "./glob-files.js";

/** One would-be member, as its source gave it: fields are strings, absent when the source had no value. */
export interface FleetRow {
  /** For messages: `row 3`, `item 2`, `file /srv/data/acme.db`. */
  label: string;
  /** Path below `databases.<entry>` that locates this row in the YAML (list items have a line). */
  path: (string | number)[];
  /** `name`, `url`, attributes; glob rows also `path`. */
  fields: Map<string, string>;
  /** The row's own tags (a `tags` column or item key). */
  tags: string[];
}

/**
 * Rows are made one at a time as they are iterated: a catalog of 20,000 tenants would otherwise
 * hold 20,000 field maps at once beside the members made from them (bench/fleet-memory).
 */
export type SourceResult =
  | { ok: true; kind: "list" | "query" | "glob"; rows: Iterable<FleetRow> }
  | { ok: false; path: (string | number)[]; message: string; hint: string };

/** Reads the members' raw rows from the fleet's one source. Never throws. */
export async function readSource(fleet: FleetSettings, dir: string, env: Env): Promise<SourceResult> {
  if (fleet.list !== undefined) {
    const rows = mapLazily(fleet.list, (item, index) => toRow(typeof item === "string" ? { name: item } : item, `item ${index + 1}`, ["fleet", "list", index]));
    return { ok: true, kind: "list", rows };
  }
  if (fleet.glob !== undefined) {
    const found = await globFiles(fleet.glob, dir);
    if (!found.ok) return { ok: false, path: ["fleet", "glob"], message: `cannot list the fleet's files: ${found.message}`, hint: "fix the pattern (it is relative to the config file), or create the folder" };
    const rows = mapLazily(found.files, (file): FleetRow => ({
      label: `file ${file}`,
      path: ["fleet", "glob"],
      fields: new Map([["name", basename(file, extname(file))], ["path", file], ["url", `sqlite:${file}`]]),
      tags: [],
    }));
    return { ok: true, kind: "glob", rows };
  }
  const query = fleet.query!;
  const result = await queryCatalog({ connectionEnv: query.connection_env, sql: query.sql, timeoutMs: query.timeout_ms }, dir, env);
  if (!result.ok) return { ok: false, path: ["fleet", "query", result.key], message: result.message, hint: result.hint };
  return { ok: true, kind: "query", rows: mapLazily(result.rows, (row, index) => toRow(row, `row ${index + 1}`, ["fleet", "query", "sql"])) };
}

function* mapLazily<T>(items: readonly T[], toRow: (item: T, index: number) => FleetRow): Generator<FleetRow> {
  for (const [index, item] of items.entries()) yield toRow(item, index);
}

/** A list item or catalog row as fields: scalars as text, NULL as absent, `tags` split on commas. */
function toRow(record: Record<string, unknown>, label: string, path: (string | number)[]): FleetRow {
  const fields = new Map<string, string>();
  let tags: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === "tags") {
      tags = tagList(value);
      continue;
    }
    const text = asText(value);
    if (text !== undefined) fields.set(key, text);
  }
  return { label, path, fields, tags };
}

function tagList(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value.map(asText) : (asText(value) ?? "").split(",");
  return items.map((tag) => (tag ?? "").trim()).filter((tag) => tag !== "");
}

function asText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => asText(item) ?? "").join(",");
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return JSON.stringify(value);
}
