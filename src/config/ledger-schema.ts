import { z } from "zod";

/** Tables of the ledger start with this unless `ledger.table_prefix` says otherwise. */
export const DEFAULT_LEDGER_TABLE_PREFIX = "stagecraft_";

/** `ledger:` — where runs and per-database outcomes are recorded (docs/ledger.md). */
export const ledgerSchema = z.strictObject({
  connection_env: z
    .string({ error: "must be the name of the environment variable that holds the ledger's URL (a string)" })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be a valid environment variable name (letters, digits and _, not starting with a digit)" }),
  table_prefix: z
    .string({ error: "must be a table name prefix (a string)" })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/, { error: "must be letters, digits and _ (at most 31), not starting with a digit" })
    .default(DEFAULT_LEDGER_TABLE_PREFIX),
}, { error: "must be a map with connection_env (and optionally table_prefix)" });

const percent = (what: string) => z.number({ error: `must be a percentage (a number) ${what}` }).gt(0, { error: `must be more than 0 ${what}` }).max(100, { error: `must be at most 100 ${what}` });
const maxFailed = z.number({ error: "must be a percentage (a number from 0 to 100)" }).min(0, { error: "must be at least 0" }).max(100, { error: "must be at most 100" });
const stopOn = z.enum(["any_failure"], { error: "must be any_failure (or use max_failed_percent: N)" });

const waveSchema = z.strictObject({
  name: z.string({ error: "must be the wave's name (a string)" }).regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { error: "wave names use letters, digits, _, . and - only" }),
  tags: z.array(z.string({ error: "each tag must be a string" }), { error: "must be a list of tags" }).min(1, { error: "must name at least one tag" }).optional(),
  percent: percent("of the databases no earlier wave took").optional(),
  stop_on: stopOn.optional(),
  max_failed_percent: maxFailed.optional(),
}, { error: "must be a map with name and either tags or percent" })
  .refine((wave) => (wave.tags === undefined) !== (wave.percent === undefined), { error: "a wave takes either tags: [...] or percent: N (one of them)" })
  .refine((wave) => wave.stop_on === undefined || wave.max_failed_percent === undefined, { error: "a wave takes stop_on or max_failed_percent, not both" });

/** `rollout:` — ordered waves for `migrate --rollout` and `--wave NAME` (docs/ledger.md). */
export const rolloutSchema = z.strictObject({
  waves: z.array(waveSchema, { error: "must be a list of waves" }).min(1, { error: "must list at least one wave" }),
  stop_on: stopOn.optional(),
  max_failed_percent: maxFailed.optional(),
}, { error: "must be a map with waves (and optionally stop_on or max_failed_percent)" })
  .refine((r) => r.stop_on === undefined || r.max_failed_percent === undefined, { error: "rollout takes stop_on or max_failed_percent, not both" })
  .refine((r) => new Set(r.waves.map((w) => w.name)).size === r.waves.length, { error: "wave names must be unique" });

/** The ledger of a loaded config. */
export interface LedgerSettings {
  connectionEnv: string;
  tablePrefix: string;
}

/** When a wave stops the rollout: at the first failure, or past a share of failed databases. */
export type StopRule = { kind: "any_failure" } | { kind: "max_failed_percent"; percent: number };

export interface WaveSettings {
  name: string;
  tags?: string[];
  percent?: number;
  stop: StopRule;
}

export interface RolloutSettings {
  waves: WaveSettings[];
}

export function ledgerSettings(input: z.output<typeof ledgerSchema>): LedgerSettings {
  return { connectionEnv: input.connection_env, tablePrefix: input.table_prefix };
}

/** A wave's own rule wins over the section's; without either, any failure stops. */
export function rolloutSettings(input: z.output<typeof rolloutSchema>): RolloutSettings {
  const rule = (r: { stop_on?: string | undefined; max_failed_percent?: number | undefined }): StopRule | undefined =>
    r.max_failed_percent !== undefined ? { kind: "max_failed_percent", percent: r.max_failed_percent } : r.stop_on !== undefined ? { kind: "any_failure" } : undefined;
  const fallback = rule(input) ?? { kind: "any_failure" };
  return {
    waves: input.waves.map((w) => ({
      name: w.name,
      ...(w.tags === undefined ? {} : { tags: w.tags }),
      ...(w.percent === undefined ? {} : { percent: w.percent }),
      stop: rule(w) ?? fallback,
    })),
  };
}
