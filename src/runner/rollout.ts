import { createHash } from "node:crypto";
import type { DatabaseConfig } from "../config/load.js";
import type { RolloutSettings, StopRule } from "../config/ledger-schema.js";
import { StagecraftError } from "../errors.js";
import type { RunReport } from "./report.js";

/** One wave of a rollout, resolved against a selection. */
export interface Wave {
  name: string;
  /** Names of its databases, sorted. */
  databases: string[];
  stop: StopRule;
}

/**
 * Splits `selected` into the config's waves, in order. A tag wave takes the databases no earlier
 * wave took that carry any of its tags; a percent wave takes that share (rounded up) of those
 * left, picked by a stable hash of the name, so every machine computes the same waves. The
 * databases no wave takes are not part of the rollout. Throws `invalid_config` for a tag no
 * database has.
 */
export function planWaves(selected: readonly DatabaseConfig[], rollout: RolloutSettings, file: string): Wave[] {
  let remaining = [...selected];
  return rollout.waves.map((wave, i) => {
    let taken: DatabaseConfig[];
    if (wave.tags !== undefined) {
      const unknown = wave.tags.filter((tag) => !selected.some((db) => db.tags?.includes(tag)));
      if (unknown.length > 0) {
        throw new StagecraftError("invalid_config", `rollout.waves.${i} (${wave.name}) in ${file}: no selected database has the tag${unknown.length > 1 ? "s" : ""} ${unknown.map((t) => `"${t}"`).join(", ")}`, {
          hint: "fix the wave's tags, or the selection (--tag, --database)",
        });
      }
      taken = remaining.filter((db) => wave.tags!.some((tag) => db.tags?.includes(tag)));
    } else {
      const count = Math.ceil((wave.percent! / 100) * remaining.length);
      taken = [...remaining].sort((a, b) => compare(rank(a.name), rank(b.name)) || compare(a.name, b.name)).slice(0, count);
    }
    const names = new Set(taken.map((db) => db.name));
    remaining = remaining.filter((db) => !names.has(db.name));
    return { name: wave.name, databases: [...names].sort(), stop: wave.stop };
  });
}

/** Why a wave's outcome stops the rollout, or undefined when the next wave may start. */
export function stopReason(wave: Wave, report: RunReport): string | undefined {
  const { total, failed, cancelled } = report.summary;
  if (cancelled > 0) return `${cancelled} of ${total} databases were cancelled`;
  if (wave.stop.kind === "any_failure") return failed > 0 ? `${failed} of ${total} databases failed (stop_on: any_failure)` : undefined;
  const percent = total === 0 ? 0 : (100 * failed) / total;
  return percent > wave.stop.percent ? `${failed} of ${total} databases failed (${round(percent)} %, more than max_failed_percent: ${wave.stop.percent})` : undefined;
}

/** Where a rollout stopped, for the report and the ledger. */
export interface RolloutOutcome {
  waves: { name: string; total: number; failed: number; status: "succeeded" | "stopped" | "not_started" }[];
  stopped?: { wave: string; reason: string };
}

function rank(name: string): string {
  return createHash("sha256").update(name).digest("hex");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
