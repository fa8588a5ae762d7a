import { z } from "zod";

/** Longest wait for a fleet's catalog (connect and query together) unless `query.timeout_ms` says otherwise. */
export const DEFAULT_CATALOG_TIMEOUT_MS = 30_000;
/** Member name when `fleet.name` is not given: the name from the list, the catalog row or the file. */
export const DEFAULT_MEMBER_NAME = "{{name}}";

/** A tag: no spaces, no commas (a catalog's `tags` column is split on commas). */
export const tagSchema = z.string({ error: "each tag must be a string" }).regex(/^[^\s,]+$/, { error: "a tag must be non-empty, without spaces or commas" });
export const tagsSchema = z.array(tagSchema, { error: "must be a list of tags" }).describe("Tags for selection with --tag (no spaces or commas).");

const envVarName = z
  .string({ error: (issue) => (issue.input === undefined ? "is required: the name of the environment variable that holds the catalog database's URL" : "must be the name of an environment variable (a string)") })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be a valid environment variable name (letters, digits and _, not starting with a digit)" });

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: "an attribute must be a string, number or boolean" });

/** One `fleet.list` item: a name, or a map with `name` and attributes (`tags` a list or comma list). */
export const listItemSchema = z.union([
  z.string(),
  z.looseObject({
    name: z.string({ error: "is required: the member's name" }),
    tags: z.union([z.string(), z.array(z.string())]).optional(),
  }).catchall(scalar),
], { error: "each item must be a name, or a map with name and attributes" });

export const catalogQuerySchema = z.strictObject({
  connection_env: envVarName.describe("Environment variable holding the catalog database's URL."),
  sql: z.string({ error: "is required: the SELECT that lists the members (a `name` column, optionally `url`, `tags` and attributes)" }).min(1, { error: "must not be empty" }),
  timeout_ms: z.number({ error: "must be a number of milliseconds" }).int().positive().default(DEFAULT_CATALOG_TIMEOUT_MS).describe("Longest time for connecting to the catalog and running the query."),
}, { error: (issue) => (issue.input === undefined ? "is required" : "must be a map with connection_env and sql") });

/** `databases.<entry>.fleet`: where the members come from, and how each is named, reached and tagged. */
export const fleetSchema = z.strictObject({
  list: z.array(listItemSchema, { error: "must be a list of names (or of maps with name and attributes)" }).optional()
    .describe("Members from an inline list: names, or maps with name, attributes and tags."),
  query: catalogQuerySchema.optional().describe("Members from a SQL query against a catalog database: one row per member, a name column, optionally url, tags and attributes."),
  glob: z.string({ error: "must be a file pattern (a string), e.g. ./data/tenants/*.db" }).min(1, { error: "must not be empty" }).optional()
    .describe("Members from SQLite files matching this pattern (relative to the config file); {{name}} is the file name without extension."),
  name: z.string({ error: "must be a template (a string), e.g. tenant_{{name}}" }).min(1, { error: "must not be empty" }).default(DEFAULT_MEMBER_NAME)
    .describe("Member name template: {{field}} from the row, ${VAR} from the environment. Names are unique across the config."),
  url: z.string({ error: "must be a URL template (a string)" }).min(1, { error: "must not be empty" }).optional()
    .describe("Connection URL template: {{field}} from the row, ${VAR} from the environment (passwords stay secret). Default: the row's url (sqlite:<path> for a glob)."),
  tags: z.array(z.string({ error: "each tag template must be a string" }), { error: "must be a list of tag templates" }).default([])
    .describe("Tag templates rendered per member, e.g. [\"{{region}}\", \"tier-{{tier}}\"]."),
}, { error: "must be a map with one of list, query or glob" }).superRefine((fleet, ctx) => {
  const sources = (["list", "query", "glob"] as const).filter((key) => fleet[key] !== undefined);
  if (sources.length !== 1) {
    ctx.addIssue({ code: "custom", message: sources.length === 0 ? "needs one of list, query or glob (where the members come from)" : `takes one of list, query or glob, not ${sources.join(" and ")}` });
  }
});

export type FleetInput = z.input<typeof fleetSchema>;
export type FleetSettings = z.output<typeof fleetSchema>;
