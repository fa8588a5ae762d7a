import { hostname } from "node:os";
import type { Driver } from "../drivers/driver.js";
import { StagecraftError } from "../errors.js";
import type { LedgerTables } from "./tables.js";

/** A run on another host whose heartbeat is older than this is taken for dead. */
export const STALE_AFTER_MS = 30_000;

/**
 * A database's last outcome in a logical run. `pending`/`running`: its shard is still at work;
 * `unfinished`: its shard stopped (killed, lost) before it finished; `missing`: in the current
 * selection, but no shard of this label had it.
 */
export type OutcomeStatus = "succeeded" | "failed" | "skipped" | "cancelled" | "pending" | "running" | "unfinished" | "missing";
export const OUTCOME_STATUSES: readonly OutcomeStatus[] = ["succeeded", "failed", "skipped", "cancelled", "pending", "running", "unfinished", "missing"];
/** What `--only-failed` reruns. */
export const RERUN_STATUSES: ReadonlySet<OutcomeStatus> = new Set(["failed", "cancelled", "skipped", "unfinished", "missing"]);

export interface DatabaseOutcome {
  name: string;
  status: OutcomeStatus;
  engine?: string;
  runId?: string;
  shard?: string;
  applied: string[];
  error?: { kind: string; message: string; migration?: string };
  durationMs?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface RunRecord {
  id: string;
  label: string;
  mode: string;
  wave?: string;
  /** `running` only while its process lives; a run that died is `unfinished`. */
  status: string;
  startedAt: string;
  finishedAt?: string;
  shard: string;
  host: string;
  stagecraftVersion: string;
  configHash: string;
  migrationSets: Record<string, string>;
  selected: number;
}

/** Every run recorded under one label, and each database's last outcome across them. */
export interface LogicalRun {
  label: string;
  runs: RunRecord[];
  databases: DatabaseOutcome[];
  counts: Record<OutcomeStatus, number>;
}

type Row = Record<string, unknown>;
const str = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

export class LedgerReader {
  constructor(private readonly driver: Driver, private readonly tables: LedgerTables) {}

  /** The label of run ID or label `ref`, or of the latest run when `ref` is undefined. */
  async resolveLabel(ref?: string): Promise<string> {
    if (ref === undefined) {
      const rows = await this.driver.query<Row>(`SELECT label FROM ${this.tables.runs} ORDER BY started_at DESC LIMIT 1`);
      if (rows.length === 0) throw new StagecraftError("invalid_config", "the ledger records no run yet", { hint: "run `stagecraft migrate` with the ledger first" });
      return String(rows[0]!.label);
    }
    const byId = await this.driver.query<Row>(`SELECT label FROM ${this.tables.runs} WHERE id = ?`, [ref]);
    if (byId.length > 0) return String(byId[0]!.label);
    const byLabel = await this.driver.query<Row>(`SELECT id FROM ${this.tables.runs} WHERE label = ? LIMIT 1`, [ref]);
    if (byLabel.length > 0) return ref;
    throw new StagecraftError("invalid_config", `the ledger has no run or label "${ref}"`, { hint: "`stagecraft runs` lists recent runs and labels" });
  }

  /** Labels of the most recent runs, newest first. */
  async recentLabels(limit: number): Promise<string[]> {
    const rows = await this.driver.query<Row>(`SELECT label, MAX(started_at) AS latest FROM ${this.tables.runs} GROUP BY label ORDER BY latest DESC LIMIT ${Math.max(1, Math.floor(limit))}`);
    return rows.map((row) => String(row.label));
  }

  /**
   * The runs of `label` and each database's last outcome, by the time it was last written;
   * names of `selection` that no run reported are `missing`.
   */
  async logicalRun(label: string, selection: readonly string[] = []): Promise<LogicalRun> {
    const runRows = await this.driver.query<Row>(`SELECT * FROM ${this.tables.runs} WHERE label = ? ORDER BY started_at, id`, [label]);
    const runs = runRows.map(toRun);
    const live = new Map(runRows.map((row, i) => [runs[i]!.id, runs[i]!.status === "running" && isLive(row)]));
    for (const run of runs) if (run.status === "running" && !live.get(run.id)) run.status = "unfinished";
    const order = new Map(runs.map((run, i) => [run.id, i]));
    const rows = await this.driver.query<Row>(`SELECT * FROM ${this.tables.databases} WHERE label = ?`, [label]);
    const latest = new Map<string, Row>();
    for (const row of rows) {
      const name = String(row.database_name);
      const seen = latest.get(name);
      if (seen === undefined || newer(row, seen, order)) latest.set(name, row);
    }
    const databases: DatabaseOutcome[] = [...latest.values()].map((row) => toOutcome(row, live.get(String(row.run_id)) === true));
    for (const name of selection) if (!latest.has(name)) databases.push({ name, status: "missing", applied: [] });
    databases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const counts = Object.fromEntries(OUTCOME_STATUSES.map((s) => [s, 0])) as Record<OutcomeStatus, number>;
    for (const db of databases) counts[db.status]++;
    return { label, runs, databases, counts };
  }
}

function newer(a: Row, b: Row, order: Map<string, number>): boolean {
  const at = String(a.updated_at);
  const bt = String(b.updated_at);
  if (at !== bt) return at > bt;
  return (order.get(String(a.run_id)) ?? 0) > (order.get(String(b.run_id)) ?? 0);
}

/** Alive: on this host, its process still exists; elsewhere, its heartbeat is recent. */
function isLive(row: Row): boolean {
  if (String(row.host) === hostname()) {
    try {
      process.kill(Number(row.pid), 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  return Date.now() - Date.parse(String(row.heartbeat_at)) < STALE_AFTER_MS;
}

function toRun(row: Row): RunRecord {
  return {
    id: String(row.id),
    label: String(row.label),
    mode: String(row.mode),
    ...(str(row.wave) === undefined ? {} : { wave: str(row.wave)! }),
    status: String(row.status),
    startedAt: String(row.started_at),
    ...(str(row.finished_at) === undefined ? {} : { finishedAt: str(row.finished_at)! }),
    shard: `${Number(row.shard_index)}/${Number(row.shard_count)}`,
    host: String(row.host),
    stagecraftVersion: String(row.stagecraft_version),
    configHash: String(row.config_hash),
    migrationSets: JSON.parse(String(row.migration_sets)) as Record<string, string>,
    selected: Number(row.selected),
  };
}

function toOutcome(row: Row, live: boolean): DatabaseOutcome {
  const recorded = String(row.status);
  const status = (recorded === "pending" || recorded === "running") && !live ? "unfinished" : (recorded as OutcomeStatus);
  const kind = str(row.error_kind);
  return {
    name: String(row.database_name),
    status,
    engine: String(row.engine),
    runId: String(row.run_id),
    shard: `${Number(row.shard_index)}/${Number(row.shard_count)}`,
    applied: JSON.parse(String(row.applied)) as string[],
    ...(kind === undefined ? {} : { error: { kind, message: str(row.error_message) ?? "", ...(str(row.error_migration) === undefined ? {} : { migration: str(row.error_migration)! }) } }),
    ...(row.duration_ms === null || row.duration_ms === undefined ? {} : { durationMs: Number(row.duration_ms) }),
    ...(str(row.started_at) === undefined ? {} : { startedAt: str(row.started_at)! }),
    ...(str(row.finished_at) === undefined ? {} : { finishedAt: str(row.finished_at)! }),
  };
}
