import { readEnv, type Env } from "../config/env.js";

/** A field placeholder `{{field}}` of a template, or literal text. */
type Part = string | { field: string };

/**
 * A `fleet.name` / `fleet.url` / `fleet.tags` template, parsed once per entry and rendered
 * once per member. `${VAR}` is resolved when the template is compiled (so an unset variable is
 * reported once, not once per member) and `{{field}}` when it is rendered. Both are replaced in
 * one pass over the source: a variable's value that happens to contain `{{…}}` is never read
 * as a placeholder, and a member field that contains `${…}` is never read as a variable.
 */
export interface Template {
  readonly source: string;
  readonly parts: readonly Part[];
  /** Fields the template reads, in order of first use. */
  readonly fields: readonly string[];
}

const TOKEN = /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Parses `source`; every unset `${VAR}` is pushed to `missing` (the template keeps it literally). */
export function compileTemplate(source: string, env: Env, missing: string[]): Template {
  const parts: Part[] = [];
  const fields: string[] = [];
  let literal = "";
  let last = 0;
  for (const match of source.matchAll(TOKEN)) {
    literal += source.slice(last, match.index);
    last = match.index + match[0].length;
    const [whole, escape, variable, field] = match;
    if (field !== undefined) {
      if (literal !== "") parts.push(literal);
      literal = "";
      parts.push({ field });
      if (!fields.includes(field)) fields.push(field);
    } else if (escape === "$") {
      literal += whole.slice(1);
    } else {
      const value = readEnv(env, variable!);
      if (value === undefined) missing.push(variable!);
      literal += value ?? whole;
    }
  }
  literal += source.slice(last);
  if (literal !== "") parts.push(literal);
  return { source, parts, fields };
}

export type Rendered = { ok: true; value: string } | { ok: false; missing: string };

/** Fills the placeholders from `fields`; the first field that has no value is reported. */
export function renderTemplate(template: Template, fields: ReadonlyMap<string, string>): Rendered {
  let value = "";
  for (const part of template.parts) {
    if (typeof part === "string") {
      value += part;
      continue;
    }
    const field = fields.get(part.field);
    if (field === undefined) return { ok: false, missing: part.field };
    value += field;
  }
  return { ok: true, value };
}
