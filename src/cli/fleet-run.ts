import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";
import { isStagecraftError, scrubSecrets } from "../errors.js";
import { formatShard, parseShard, SHARD_ENV, type Shard } from "../fleet/shard.js";
import { configHash, migrationSetHashes } from "../ledger/fingerprint.js";
import { openLedger, type OpenLedger } from "../ledger/open-ledger.js";
import { LedgerReader, RERUN_STATUSES } from "../ledger/reader.js";
import { LedgerRecorder } from "../ledger/recorder.js";
import type { RunnerListeners } from "../runner/events.js";
import { buildReport, type DatabaseReport, type RunReport } from "../runner/report.js";
import { planWaves, stopReason, type RolloutOutcome, type Wave } from "../runner/rollout.js";
import { inShard } from "../fleet/shard.js";
import { urlSecrets } from "../fleet/secrets.js";
import { select } from "../runner/select.js";
import { refuse, type LedgerFlags } from "./ledger-flags.js";
import { phaseSelectionOptions, type SelectionFlags } from "./selection.js";
import { version } from "./shared.js";
import { waveGate } from "./wave-gate.js";

/** What a run label may hold: it is a key column of the ledger. */
const RUN_LABEL = /^[^\p{Cc}]{1,200}$/u;

/** What one call of the runner gets on top of the command's own options. */
export interface RunExtra {
  shard?: Shard;
  only?: string[];
  on?: RunnerListeners;
}

export interface FleetRunContext {
  plan: boolean;
  mode: "up" | "down";
  env: Readonly<Record<string, string | undefined>>;
  /** Prints a warning (stderr). */
  warn(text: string): void;
  run(extra: RunExtra): Promise<RunReport>;
}

export interface FleetRunOutcome {
  /** The report, with `ledger` (run ID, label) and `rollout` (waves) when they apply. */
  report: RunReport & { ledger?: { runId: string; label: string }; rollout?: RolloutOutcome };
  /** Lines for the text output after the report. */
  notes: string[];
  /** Exit code this step calls for beyond the report's own (2: the ledger lost outcomes, or a rollout stopped). */
  code: number;
}

/**
 * `migrate` with sharding, the ledger, `--only-failed` and waves: selection → waves → shard →
 * only-failed, then one runner call (or one per wave), each outcome recorded as it arrives.
 * Throws exit-1 errors before any database is touched.
 */
export async function fleetRun(config: StagecraftConfig, flags: LedgerFlags & SelectionFlags, ctx: FleetRunContext): Promise<FleetRunOutcome> {
  const shardText = flags.shard ?? ctx.env[SHARD_ENV];
  let shard: Shard | undefined;
  if (shardText !== undefined && shardText !== "") {
    try {
      shard = parseShard(shardText, ctx.env);
    } catch (error) {
      throw refuse(`${flags.shard === undefined ? SHARD_ENV : "--shard"}: ${(error as Error).message}`);
    }
  }
  if ((flags.rollout || flags.wave !== undefined) && config.rollout === undefined) throw refuse(`${flags.rollout ? "--rollout" : "--wave"} needs a rollout: section in ${config.file} (docs/ledger.md)`);
  if (config.ledger === undefined) {
    if (flags.onlyFailed !== undefined) throw refuse(`--only-failed reads the ledger, and ${config.file} has no ledger: section (docs/ledger.md)`);
    if (flags.runLabel !== undefined) throw refuse(`--run-label names a run in the ledger, and ${config.file} has no ledger: section (docs/ledger.md)`);
  }
  if (flags.runLabel !== undefined && !RUN_LABEL.test(flags.runLabel)) throw refuse(`--run-label "${flags.runLabel}": a label is 1 to 200 printable characters (a release tag, a pipeline ID)`);
  const base = select(config, phaseSelectionOptions(flags));
  const notes: string[] = [];

  // The ledger: written by runs, read by --only-failed and the --wave gate.
  const wantsLedger = config.ledger !== undefined && (!ctx.plan || flags.onlyFailed !== undefined);
  let ledger: OpenLedger | undefined;
  if (wantsLedger) {
    try {
      ledger = await openLedger(config, ctx.env);
    } catch (error) {
      const message = isStagecraftError(error) ? `${error.message}${error.context.hint ? `\n  hint: ${error.context.hint}` : ""}` : String(error);
      if (!flags.ledgerOptional || flags.onlyFailed !== undefined || flags.wave !== undefined) throw refuse(message);
      ctx.warn(`warning: ${message.split("\n")[0]}; migrating without recording the run (--ledger-optional)`);
    }
  }
  let recorder: LedgerRecorder | undefined;
  try {
    const reader = ledger && new LedgerReader(ledger.driver, ledger.tables);
    let label = flags.runLabel;
    let only: Set<string> | undefined;
    if (flags.onlyFailed !== undefined) {
      const rerun = await readable(() => reader!.resolveLabel(flags.onlyFailed === true ? undefined : flags.onlyFailed as string));
      const outcome = await reader!.logicalRun(rerun, base.map((db) => db.name));
      only = new Set(outcome.databases.filter((db) => RERUN_STATUSES.has(db.status)).map((db) => db.name));
      label ??= rerun;
      notes.push(`--only-failed ${rerun}: ${only.size} database${only.size === 1 ? "" : "s"} of the selection failed, were cancelled, skipped, unfinished or missing`);
    }
    const waves = config.rollout === undefined || (!flags.rollout && flags.wave === undefined) ? undefined : await readable(async () => planWaves(base, config.rollout!, config.file));
    let wave: Wave | undefined;
    if (flags.wave !== undefined) {
      wave = waves!.find((w) => w.name === flags.wave);
      if (wave === undefined) throw refuse(`--wave ${flags.wave}: the rollout has no such wave; waves: ${waves!.map((w) => w.name).join(", ")}`);
      if (reader && !ctx.plan) {
        if (label === undefined) throw refuse(`--wave with a ledger needs --run-label: the release whose earlier waves must have succeeded`);
        const problem = await waveGate(reader, waves!, wave, label);
        if (problem) throw refuse(problem);
      }
    }
    // A rollout runs only what its waves take; --wave only that wave.
    const inWaves = flags.rollout ? new Set(waves!.flatMap((w) => w.databases)) : wave === undefined ? undefined : new Set(wave.databases);
    const inRun = (db: DatabaseConfig): boolean => (shard === undefined || inShard(db.name, shard)) && (only === undefined || only.has(db.name)) && (inWaves === undefined || inWaves.has(db.name));
    const running = base.filter(inRun);
    if (shard) notes.push(`shard ${formatShard(shard)}: ${running.length} of ${base.length} selected databases`);

    if (ledger && !ctx.plan) {
      recorder = new LedgerRecorder(ledger.driver, ledger.tables, {
        ...(label === undefined ? {} : { label }),
        mode: flags.rollout ? "rollout" : ctx.mode,
        ...(wave === undefined ? {} : { wave: wave.name }),
        version,
        configHash: await configHash(config),
        migrationSets: await migrationSetHashes(config, running),
        shard: shard ?? { index: 0, count: 1 },
        databases: running.map((db) => ({ name: db.name, engine: db.engine })),
      }, [...ledger.secrets, ...running.flatMap((db) => secretsOfDatabase(db, ctx.env, config.dir))], ctx.warn, async () => (await openLedger(config, ctx.env)).driver);
      try {
        await recorder.begin();
      } catch (error) {
        const message = `the ledger (${config.ledger!.connectionEnv}) cannot record the run: ${scrubSecrets((error as Error)?.message ?? String(error), ledger.secrets)}`;
        recorder = undefined;
        if (!flags.ledgerOptional) throw refuse(message);
        ctx.warn(`warning: ${message}; migrating without recording the run (--ledger-optional)`);
      }
    }
    const names = running.map((db) => db.name);
    const on = recorder?.listeners();
    let result: FleetRunOutcome;
    if (flags.rollout) result = await runWaves(waves!, new Set(names), running, ctx, on, recorder);
    else result = { report: await ctx.run({ ...(shard ? { shard } : {}), only: names, ...(on ? { on } : {}) }), notes: [], code: 0 };
    result.notes.unshift(...notes);
    if (recorder) {
      try {
        await recorder.finish(result.report);
        result.report = { ...result.report, ledger: { runId: recorder.runId, label: recorder.label } };
        result.notes.push(`ledger: run ${recorder.runId} recorded under label ${recorder.label}`);
      } catch (error) {
        ctx.warn(`error: ${(error as Error).message}`);
        result.code = Math.max(result.code, 2);
      }
    }
    return result;
  } catch (error) {
    await recorder?.finish(undefined).catch(() => undefined);
    throw error;
  } finally {
    // The recorder may have replaced the connection it was given.
    await (recorder ? recorder.close() : ledger?.driver.close())?.catch(() => undefined);
  }
}

/** Runs each wave in order; a wave whose outcome breaks its rule stops the rest, recorded as skipped. */
async function runWaves(waves: Wave[], names: Set<string>, running: DatabaseConfig[], ctx: FleetRunContext, on: RunnerListeners | undefined, recorder: LedgerRecorder | undefined): Promise<FleetRunOutcome> {
  const reports: DatabaseReport[] = [];
  const rollout: RolloutOutcome = { waves: [] };
  const notes: string[] = [];
  const engineOf = new Map(running.map((db) => [db.name, db.engine]));
  for (const [i, wave] of waves.entries()) {
    const members = wave.databases.filter((name) => names.has(name));
    if (rollout.stopped) {
      const skipped = members.map((name): DatabaseReport => ({ name, engine: engineOf.get(name)!, status: "skipped", migrations: [], applied: [] }));
      reports.push(...skipped);
      recorder?.record(skipped);
      rollout.waves.push({ name: wave.name, total: members.length, failed: 0, status: "not_started" });
      continue;
    }
    const report = members.length === 0 ? buildReport("run", []) : await ctx.run({ only: members, ...(on ? { on } : {}) });
    reports.push(...report.databases);
    const reason = stopReason(wave, report);
    rollout.waves.push({ name: wave.name, total: report.summary.total, failed: report.summary.failed, status: reason ? "stopped" : "succeeded" });
    notes.push(`wave ${i + 1}/${waves.length} ${wave.name}: ${report.summary.succeeded} of ${report.summary.total} succeeded`);
    if (reason) {
      rollout.stopped = { wave: wave.name, reason };
      const left = waves.slice(i + 1).map((w) => w.name);
      notes.push(`rollout stopped at wave ${wave.name}: ${reason}${left.length > 0 ? `; not started: ${left.join(", ")}` : ""}`);
    }
  }
  const report = { ...buildReport("run", reports), rollout };
  return { report, notes, code: rollout.stopped ? 2 : 0 };
}

/** The secrets of a database's URL, to scrub from what the ledger stores. */
function secretsOfDatabase(db: DatabaseConfig, env: Readonly<Record<string, string | undefined>>, dir: string): string[] {
  const url = db.url ?? (db.connectionEnv === "" ? undefined : env[db.connectionEnv]);
  return url === undefined ? [] : urlSecrets(url, dir);
}

/** Ledger look-ups whose "not found" is the user's input: exit 1 with the message. */
async function readable<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isStagecraftError(error) && error.kind === "invalid_config") throw refuse(`${error.message}${error.context.hint ? `\n  hint: ${error.context.hint}` : ""}`);
    throw error;
  }
}
