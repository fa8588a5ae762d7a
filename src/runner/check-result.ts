import { StagecraftError } from "../errors.js";
import type { Migration, PlanResult, PlanWarning, RunResult } from "../registry/engine.js";

/** How much of a bad value a message quotes. */
const QUOTE_CHARS = 60;

/**
 * Checks what an engine's `plan` returned. A plugin engine is code we did not write: garbage
 * (a string for a list, a migration without an id) must fail its database with a message
 * that says what is wrong, not be counted, rendered or recorded as if it meant something.
 */
export function checkPlan(engine: string, value: unknown, method = "plan"): PlanResult {
  if (Array.isArray(value)) return { migrations: checkMigrations(engine, value, method) };
  if (value === null || typeof value !== "object" || !Array.isArray((value as Partial<PlanResult>).migrations)) {
    throw broken(engine, method, `must resolve to an array of migrations or { migrations, warnings?, blocked? }; got ${quote(value)}`);
  }
  const { migrations, warnings, blocked } = value as PlanResult;
  return {
    migrations: checkMigrations(engine, migrations, method),
    ...(warnings === undefined ? {} : { warnings: checkWarnings(engine, warnings, method) }),
    ...(blocked === undefined ? {} : { blocked }),
  };
}

function checkWarnings(engine: string, value: unknown, method: string): PlanWarning[] {
  if (!Array.isArray(value) || !value.every((w) => w !== null && typeof w === "object" && typeof (w as PlanWarning).message === "string")) {
    throw broken(engine, method, `warnings must be an array of { code, message }; got ${quote(value)}`);
  }
  return value as PlanWarning[];
}

function checkMigrations(engine: string, value: unknown[], method: string): Migration[] {
  value.forEach((m: unknown, i) => {
    const where = `migration [${i}]`;
    if (m === null || typeof m !== "object") throw broken(engine, method, `${where} must be an object; got ${quote(m)}`);
    const { id, description, applied, checksum, appliedAt } = m as Record<string, unknown>;
    if (typeof id !== "string" || id === "") throw broken(engine, method, `${where}.id must be a non-empty string; got ${quote(id)}`);
    if (typeof description !== "string") throw broken(engine, method, `${where} (${id}).description must be a string; got ${quote(description)}`);
    if (typeof applied !== "boolean") throw broken(engine, method, `${where} (${id}).applied must be true or false; got ${quote(applied)}`);
    if (checksum !== undefined && typeof checksum !== "string") throw broken(engine, method, `${where} (${id}).checksum must be a string when present; got ${quote(checksum)}`);
    if (appliedAt !== undefined && typeof appliedAt !== "string") throw broken(engine, method, `${where} (${id}).appliedAt must be a string when present; got ${quote(appliedAt)}`);
  });
  const ids = new Set<string>();
  for (const m of value as Migration[]) {
    if (ids.has(m.id)) throw broken(engine, method, `lists migration ${m.id} twice`);
    ids.add(m.id);
  }
  return value as Migration[];
}

/** Checks what an engine's `run` returned (see {@link checkPlan}). */
export function checkRun(engine: string, value: unknown): RunResult {
  if (value === null || typeof value !== "object") throw broken(engine, "run", `must resolve to an object { applied: string[] }; got ${quote(value)}`);
  const { applied, cancelled, migrations, warnings } = value as Record<string, unknown>;
  if (!Array.isArray(applied) || !applied.every((id) => typeof id === "string")) {
    throw broken(engine, "run", `applied must be an array of migration IDs (strings); got ${quote(applied)}`);
  }
  if (cancelled !== undefined && typeof cancelled !== "boolean") throw broken(engine, "run", `cancelled must be true or false when present; got ${quote(cancelled)}`);
  return {
    applied,
    ...(cancelled === true ? { cancelled } : {}),
    ...(migrations === undefined ? {} : { migrations: checkPlan(engine, migrations, "run").migrations }),
    ...(warnings === undefined ? {} : { warnings: checkWarnings(engine, warnings, "run") }),
  };
}

function broken(engine: string, method: string, problem: string): StagecraftError {
  return new StagecraftError("internal", `engine ${engine} returned an invalid result from ${method}(): ${problem}`, {
    hint: `the engine breaks the Engine contract (docs/engines.md); fix the engine (or the plugin module that registers it)`,
  });
}

function quote(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : value === undefined ? "undefined" : typeof value === "function" ? "a function" : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
}
