import type { z } from "zod";

/**
 * Paths (joined with NUL) of strings that were exactly one `${VAR}`: `lock_timeout_ms: ${LOCK_MS}`.
 * Environment variables are text; where the schema wants a number or a boolean, such a value is
 * converted, as a person writing the placeholder means it.
 */
export type WholeVariables = Map<string, string>;

export const pathKey = (path: readonly (string | number)[]): string => path.join("\u0000");

/**
 * `schema.safeParse(value)`, converting strings that came from a whole `${VAR}` where the schema
 * expects a number (`"5000"` → 5000) or a boolean (`true`/`false`, `1`/`0`). A value that does
 * not convert keeps the schema's error, with what the variable held.
 */
export function parseCoercing<T extends z.ZodType>(schema: T, value: unknown, base: readonly (string | number)[], whole: WholeVariables | undefined): ReturnType<T["safeParse"]> {
  let result = schema.safeParse(value, { reportInput: true }) as ReturnType<T["safeParse"]>;
  if (result.success || whole === undefined || whole.size === 0) return result;
  let changed = false;
  let copy: unknown = value;
  for (const issue of result.error!.issues) {
    if (issue.code !== "invalid_type" || (issue.expected !== "number" && issue.expected !== "boolean")) continue;
    const variable = whole.get(pathKey([...base, ...(issue.path as (string | number)[])]));
    const current = get(copy, issue.path as (string | number)[]);
    if (variable === undefined || typeof current !== "string") continue;
    const converted = issue.expected === "number" ? toNumber(current) : toBoolean(current);
    if (converted === undefined) continue;
    copy = set(copy, issue.path as (string | number)[], converted);
    changed = true;
  }
  if (changed) result = schema.safeParse(copy, { reportInput: true }) as ReturnType<T["safeParse"]>;
  return result;
}

/** The error message for a value of `${VAR}` that does not convert. */
export function describeWholeVariable(issue: z.core.$ZodIssue, base: readonly (string | number)[], whole: WholeVariables | undefined, value: unknown): string | undefined {
  if (issue.code !== "invalid_type" || (issue.expected !== "number" && issue.expected !== "boolean")) return undefined;
  const variable = whole?.get(pathKey([...base, ...(issue.path as (string | number)[])]));
  const current = get(value, issue.path as (string | number)[]);
  if (variable === undefined || typeof current !== "string") return undefined;
  return `${issue.message}: \${${variable}} is ${JSON.stringify(current)}, not ${issue.expected === "number" ? "a number" : "true or false"}`;
}

function toNumber(text: string): number | undefined {
  return /^\s*-?\d+(?:\.\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

function toBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : undefined;
}

function get(value: unknown, path: readonly (string | number)[]): unknown {
  let node = value;
  for (const key of path) node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

/** `value` with `path` set to `next`, copying the containers on the way (the input stays as it was). */
function set(value: unknown, path: readonly (string | number)[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  const container = (Array.isArray(value) ? [...value] : Object.assign(Object.create(null), value)) as Record<string | number, unknown>;
  container[head!] = set(container[head!], rest, next);
  return container;
}
