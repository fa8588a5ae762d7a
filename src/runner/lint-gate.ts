import { StagecraftError } from "../errors.js";
import type { LintErrorSet } from "../lint/finding.js";
import type { Engine, PlanOptions } from "../registry/engine.js";
import { previewOptions } from "../registry/plan-result.js";
import { checkPlan } from "./check-result.js";
import type { CallContext } from "./protocol.js";

/** Errors named in the refusal before the rest are counted. */
const NAMED_ERRORS = 3;

/**
 * The worker's side of lint in `migrate`: before an up run of a database whose folder has lint
 * errors, plan it (with the run's steps and target) and refuse, with nothing run, when the
 * migrations it would apply include an erroneous one (or, under `transaction_mode: all`, a set
 * that fails together). Only databases whose folder has errors pay for this plan.
 */
export async function refuseLintErrors(engine: Engine, base: PlanOptions, call: CallContext, sets: readonly LintErrorSet[]): Promise<void> {
  const planned = checkPlan(engine.id, await engine.plan(previewOptions(base, call)));
  // A blocked database fails the run with its own error.
  if (planned.blocked) return;
  const marked = planned.migrations.some((m) => m.action !== undefined);
  const toRun = new Set(planned.migrations.filter((m) => (marked ? m.action === "apply" : !m.applied)).map((m) => m.id));
  const hits = sets.filter((set) => set.migrations.every((id) => toRun.has(id)));
  if (hits.length === 0) return;
  const first = hits[0]!.finding;
  const named = hits.slice(0, NAMED_ERRORS).map(({ finding: f }) => `${f.file}:${f.line}:${f.column} [${f.rule}] ${f.message}`);
  const more = hits.length > NAMED_ERRORS ? ` (and ${hits.length - NAMED_ERRORS} more)` : "";
  const migrations = [...new Set(hits.flatMap((h) => h.migrations))];
  throw new StagecraftError("migration_failed", `refused to start: pending migration${migrations.length > 1 ? "s" : ""} ${migrations.join(", ")} ha${migrations.length > 1 ? "ve" : "s"} lint errors, which would fail the run: ${named.join("; ")}${more}; nothing was run`, {
    migration: first.migration,
    file: first.file,
    line: first.line,
    hint: "fix the migration (`stagecraft lint` lists every finding with its fix), or pass --no-lint (API: lint: false) to run it anyway",
  });
}
