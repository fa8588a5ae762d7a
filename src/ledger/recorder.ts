import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Driver } from "../drivers/driver.js";
import { inTransaction } from "../drivers/driver.js";
import { scrubSecrets } from "../errors.js";
import type { DatabaseReport, RunReport } from "../runner/report.js";
import type { Shard } from "../fleet/shard.js";
import type { LedgerTables } from "./tables.js";

/** Rows are written once this many changes wait, or after {@link FLUSH_INTERVAL_MS}. */
export const FLUSH_EVERY_ROWS = 200;
export const FLUSH_INTERVAL_MS = 1_000;
/** Rows per multi-row INSERT of the databases a run starts with. */
const INSERT_CHUNK = 200;
/** Longest error message kept in the ledger. */
const MAX_MESSAGE_CHARS = 2_000;

export interface RunStart {
  label?: string;
  mode: string;
  wave?: string;
  version: string;
  configHash: string;
  migrationSets: Record<string, string>;
  shard: Shard;
  /** Databases this run will work on, each with its engine. */
  databases: readonly { name: string; engine: string }[];
}

type Change = { kind: "running"; name: string; at: string } | { kind: "done"; report: DatabaseReport; at: string };

/**
 * Records one run in the ledger: the run row and a `pending` row per database at once, then
 * each database's start (`running`) and outcome, in batches. A shard killed mid-run leaves its
 * `pending`/`running` rows behind, which readers show as `unfinished`. Only the main thread
 * writes; a write that fails is kept and tried again at the next flush.
 */
export class LedgerRecorder {
  readonly runId = randomUUID();
  readonly label: string;
  #queue: Change[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #lastError: unknown;
  /** Databases whose outcome is queued or written. */
  readonly #done = new Set<string>();

  constructor(
    private driver: Driver,
    private readonly tables: LedgerTables,
    private readonly start: RunStart,
    /** Secrets to scrub from every message written (database URLs, their passwords). */
    private readonly secrets: readonly string[],
    private readonly onWarning: (message: string) => void,
    /** Opens a new connection to the ledger, for when the one held is lost (server restart, failover). */
    private readonly reconnect?: () => Promise<Driver>,
  ) {
    this.label = start.label ?? this.runId;
  }

  /** Writes the run row and a `pending` row per database, in one transaction. */
  async begin(): Promise<void> {
    const now = new Date().toISOString();
    const s = this.start;
    await inTransaction(this.driver, async () => {
      await this.driver.query(
        `INSERT INTO ${this.tables.runs} (id, label, mode, wave, status, started_at, heartbeat_at, stagecraft_version, config_hash, migration_sets, shard_index, shard_count, host, pid, selected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [this.runId, this.label, s.mode, s.wave ?? null, "running", now, now, s.version, s.configHash, JSON.stringify(s.migrationSets), s.shard.index, s.shard.count, hostname(), process.pid, s.databases.length],
      );
      for (let i = 0; i < s.databases.length; i += INSERT_CHUNK) {
        const chunk = s.databases.slice(i, i + INSERT_CHUNK);
        const params = chunk.flatMap((db) => [this.runId, db.name, this.label, db.engine, "pending", s.shard.index, s.shard.count, "[]", now]);
        await this.driver.query(
          `INSERT INTO ${this.tables.databases} (run_id, database_name, label, engine, status, shard_index, shard_count, applied, updated_at) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
          params,
        );
      }
    });
    this.#timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Listeners to pass to runAll (merged with any others by the caller). */
  listeners() {
    return {
      "database:start": (event: { database: string }) => this.#push({ kind: "running", name: event.database, at: new Date().toISOString() }),
      "database:done": (event: { report: DatabaseReport }) => (this.#done.add(event.report.name), this.#push({ kind: "done", report: event.report, at: new Date().toISOString() })),
    };
  }

  /** Records outcomes the runner never announced (rollout waves that did not start). */
  record(reports: readonly DatabaseReport[]): void {
    const at = new Date().toISOString();
    for (const report of reports) (this.#done.add(report.name), this.#queue.push({ kind: "done", report, at }));
  }

  #push(change: Change): void {
    this.#queue.push(change);
    if (this.#queue.length >= FLUSH_EVERY_ROWS) void this.flush();
  }

  /** Writes what waits, after any flush under way; never rejects (a failure is kept for the next one). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    const batch = this.#queue;
    if (batch.length === 0) return this.#heartbeat();
    this.#queue = [];
    try {
      // Every change is an idempotent UPDATE: a batch whose commit was lost is safe to send again.
      await this.#writeBatch(batch).catch(async (error: unknown) => {
        if (!(await this.#reconnect())) throw error;
        await this.#writeBatch(batch);
      });
      this.#lastError = undefined;
    } catch (error) {
      this.#queue = [...batch, ...this.#queue];
      if (this.#lastError === undefined) this.onWarning(`ledger: could not record ${batch.length} database outcome${batch.length === 1 ? "" : "s"} (will retry): ${this.#scrub((error as Error)?.message ?? String(error))}`);
      this.#lastError = error;
    }
  }

  #writeBatch(batch: readonly Change[]): Promise<void> {
    return inTransaction(this.driver, async () => {
      for (const change of batch) await this.#apply(change);
      await this.driver.query(`UPDATE ${this.tables.runs} SET heartbeat_at = ? WHERE id = ?`, [new Date().toISOString(), this.runId]);
    });
  }

  /** Replaces the connection with a new one; false when there is no way to, or the ledger is still away. */
  async #reconnect(): Promise<boolean> {
    if (this.reconnect === undefined) return false;
    try {
      const fresh = await this.reconnect();
      await this.driver.close().catch(() => undefined);
      this.driver = fresh;
      return true;
    } catch {
      return false;
    }
  }

  async #heartbeat(): Promise<void> {
    try {
      await this.driver.query(`UPDATE ${this.tables.runs} SET heartbeat_at = ? WHERE id = ?`, [new Date().toISOString(), this.runId]);
    } catch {
      // The next write reports a ledger that went away.
    }
  }

  async #apply(change: Change): Promise<void> {
    if (change.kind === "running") {
      await this.driver.query(`UPDATE ${this.tables.databases} SET status = ?, started_at = ?, updated_at = ? WHERE run_id = ? AND database_name = ?`, ["running", change.at, change.at, this.runId, change.name]);
      return;
    }
    const r = change.report;
    const error = r.error;
    const message = error === undefined ? null : this.#scrub(error.message).slice(0, MAX_MESSAGE_CHARS);
    await this.driver.query(
      `UPDATE ${this.tables.databases} SET status = ?, applied = ?, error_kind = ?, error_message = ?, error_migration = ?, finished_at = ?, updated_at = ?, duration_ms = ? WHERE run_id = ? AND database_name = ?`,
      [r.status, JSON.stringify(r.applied), error?.kind ?? null, message, error?.migration ?? null, change.at, change.at, r.durationMs ?? null, this.runId, r.name],
    );
  }

  #scrub(text: string): string {
    return scrubSecrets(text, this.secrets);
  }

  /**
   * Writes the last outcomes and closes the run row with its counts. Rejects when the ledger
   * still cannot be written: the caller says so and fails the run.
   */
  async finish(report: RunReport | undefined): Promise<void> {
    clearInterval(this.#timer);
    // Databases the runner settled without an event (cancelled or skipped before they started).
    if (report) this.record(report.databases.filter((db) => !this.#done.has(db.name)));
    await this.flush();
    if (this.#queue.length > 0) await this.flush();
    if (this.#queue.length > 0) throw new Error(`ledger: ${this.#queue.length} database outcomes could not be recorded: ${this.#scrub((this.#lastError as Error)?.message ?? String(this.#lastError))}`);
    const s = report?.summary;
    const status = report === undefined ? "failed" : report.summary.cancelled > 0 ? "cancelled" : report.ok ? "succeeded" : "failed";
    const close = (): Promise<unknown> => this.driver.query(
      `UPDATE ${this.tables.runs} SET status = ?, finished_at = ?, heartbeat_at = ?, succeeded = ?, failed = ?, skipped = ?, cancelled = ? WHERE id = ?`,
      [status, new Date().toISOString(), new Date().toISOString(), s?.succeeded ?? 0, s?.failed ?? 0, s?.skipped ?? 0, s?.cancelled ?? 0, this.runId],
    );
    await close().catch(async (error: unknown) => {
      if (!(await this.#reconnect())) throw error;
      await close();
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.driver.close();
  }
}
