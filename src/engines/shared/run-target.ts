import { StagecraftError } from "../../errors.js";
import type { Migration, PlanOptions } from "../../registry/engine.js";

/** What a run (or a plan previewing one) is asked to do: direction, at most `steps` (0 = no limit), bounded by `to`. */
export interface Target {
  direction: "up" | "down";
  steps: number;
  to?: string | undefined;
}

/** Refuses an unbounded revert before anything connects: down needs `steps ≥ 1` or `to`. */
export function checkTarget(target: Target): void {
  if (target.direction === "down" && target.steps < 1 && target.to === undefined) {
    throw new StagecraftError("invalid_config", "reverting needs steps ≥ 1 (how many migrations to revert) or a migration to revert down to", { hint: "pass --steps N or --to ID with --down" });
  }
}

/** The target a plan previews, or undefined when the plan was not given a direction. */
export function previewTarget(opts: PlanOptions): Target | undefined {
  return opts.direction === undefined ? undefined : { direction: opts.direction, steps: opts.steps ?? 0, to: opts.to };
}

/** Pending migrations, in apply order, that an up run applies: up to and including `to`, at most `steps`. */
export function upTargets<T extends { id: string }>(all: readonly T[], isApplied: (m: T) => boolean, target: Target, where: string): T[] {
  let candidates = all;
  if (target.to !== undefined) {
    const index = all.findIndex((m) => m.id === target.to);
    if (index < 0) throw unknownTarget(target.to, where, all.map((m) => m.id));
    candidates = all.slice(0, index + 1);
  }
  const pending = candidates.filter((m) => !isApplied(m));
  return target.steps > 0 ? pending.slice(0, target.steps) : pending;
}

/**
 * Applied migrations, newest applied first, that a down run reverts: everything applied after
 * `to` (which stays applied), at most `steps`. Down needs `steps ≥ 1` or `to`.
 */
export function downTargets<T extends { id: string }>(appliedNewestFirst: readonly T[], target: Target, where: string, known: readonly string[]): T[] {
  checkTarget(target);
  let candidates = appliedNewestFirst;
  if (target.to !== undefined) {
    const index = appliedNewestFirst.findIndex((m) => m.id === target.to);
    if (index < 0) {
      if (!known.includes(target.to)) throw unknownTarget(target.to, where, known);
      throw new StagecraftError("invalid_config", `cannot revert down to ${target.to}: it is not applied`, { migration: target.to, hint: "name an applied migration: the ones applied after it are reverted" });
    }
    candidates = appliedNewestFirst.slice(0, index);
  }
  return target.steps > 0 ? candidates.slice(0, target.steps) : [...candidates];
}

/** The plan with `action` set on the migrations in `ids` (what the previewed run would touch). */
export function markActions(migrations: Migration[], target: Target | undefined, ids: ReadonlySet<string>): Migration[] {
  if (target === undefined) return migrations;
  const action = target.direction === "up" ? "apply" : "revert";
  return migrations.map((m) => (ids.has(m.id) ? { ...m, action } : m));
}

function unknownTarget(to: string, where: string, known: readonly string[]): StagecraftError {
  const close = [...new Set(known.filter((id) => id.startsWith(to) || to.startsWith(id)))].slice(0, 3);
  return new StagecraftError("invalid_config", `no migration ${to} in ${where}`, {
    migration: to,
    hint: close.length > 0 ? `did you mean ${close.join(" or ")}? --to takes a migration ID as the plan lists it` : "--to takes a migration ID as the plan lists it",
  });
}
