import type { DatabaseReport } from "../runner/report.js";
import type { RunnerListeners } from "../runner/events.js";
import { canRedraw, type makeStyle } from "./style.js";

type Style = ReturnType<typeof makeStyle>;

interface Row {
  state: string;
  current: string;
  applied: number;
  startedAt: number;
}

/** How often the live TTY display redraws. */
const REDRAW_MS = 100;

export interface Progress {
  on: RunnerListeners;
  /** Prints a message (such as "stopping…") above the live display. */
  note(text: string): void;
  stop(): void;
}

export interface ProgressOptions {
  verbose?: boolean;
  /** Only changes and failures: no line for a database that had nothing to do. */
  quiet?: boolean;
  /** How many databases the run has (for `done/total` and the ETA). */
  total?: number;
}

/**
 * The line for a finished database. A failure names its kind only: the report printed after
 * the run gives the message in full, so a log of stdout and stderr together (`2>&1`) shows
 * each error once.
 */
function doneLine(name: string, report: DatabaseReport): string {
  return report.status === "failed" ? `${name}: failed [${report.error.kind}] (details in the report below)` : `${name}: ${report.status}`;
}

function waitingLine(e: { database: string; lock: string; target: string; timeoutMs: number; holders?: string[] }): string {
  const by = e.holders?.length ? e.holders.join(", ") : "another run";
  return `${e.database}: waiting for the migration lock "${e.lock}" on ${e.target}, held by ${by} (up to lock_timeout_ms, ${e.timeoutMs} ms)`;
}

/** `3/10 done, about 12 s left`: the ETA from the pace of the databases finished so far. */
export function counter(finished: number, total: number | undefined, elapsedMs: number): string {
  if (total === undefined) return `${finished} done`;
  const left = total - finished;
  if (finished === 0 || left <= 0) return `${finished}/${total} done`;
  const eta = Math.ceil(((elapsedMs / finished) * left) / 1000);
  return `${finished}/${total} done, about ${eta < 60 ? `${eta} s` : `${Math.ceil(eta / 60)} min`} left`;
}

/**
 * Progress during a run. On a terminal that can redraw: a live block, one line per running
 * database (state, current migration, count, elapsed) and `done/total` with an ETA; a database
 * shows only once a worker has begun it, not while it waits its turn. Elsewhere (a pipe, a log,
 * `TERM=dumb`): one plain line per event, never a cursor escape.
 */
export function progressListeners(stream: NodeJS.WriteStream, style: Style, options: ProgressOptions = {}): Progress {
  const { verbose = false, quiet = false } = options;
  let total = options.total;
  const started = Date.now();
  let finished = 0;
  if (!canRedraw(stream)) {
    const line = (text: string): void => void stream.write(`${text}\n`);
    return {
      note: (text) => line(text),
      stop: () => undefined,
      on: {
        "run:start": (e) => void (total ??= e.databases),
        "database:start": (e) => verbose && line(`${e.database}: started (${e.engine}${e.target === undefined ? "" : `, ${e.target}`})`),
        "lock:waiting": (e) => line(waitingLine(e)),
        "migration:start": (e) => verbose && line(`${e.database}: ${e.direction === "down" ? "reverting" : "applying"} ${e.migration}`),
        "migration:applied": (e) => line(`${e.database}: applied ${e.migration} (${e.durationMs} ms)`),
        "migration:reverted": (e) => line(`${e.database}: reverted ${e.migration} (${e.durationMs} ms)`),
        "database:done": (e) => {
          finished++;
          if (quiet && e.report.status !== "failed" && e.report.applied.length === 0) return;
          line(`${doneLine(e.database, e.report)}${total === undefined ? "" : ` [${finished}/${total}]`}`);
        },
      },
    };
  }
  const rows = new Map<string, Row>();
  let drawn = 0;
  const draw = (): void => {
    const now = Date.now();
    const lines = [...rows.entries()].map(([name, r]) => `${style.bold(name)} ${r.state} ${r.current} ${style.dim(`${r.applied} applied, ${((now - r.startedAt) / 1000).toFixed(1)} s`)}`);
    lines.push(style.dim(counter(finished, total, now - started)));
    stream.write(`${drawn > 0 ? `\u001b[${drawn}A` : ""}\u001b[0J${lines.join("\n")}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  const clear = (): void => {
    if (drawn > 0) stream.write(`\u001b[${drawn}A\u001b[0J`);
    drawn = 0;
  };
  return {
    note: (text) => {
      clear();
      stream.write(`${text}\n`);
      draw();
    },
    stop: () => {
      clearInterval(timer);
      clear();
    },
    on: {
      "run:start": (e) => void (total ??= e.databases),
      "database:start": (e) => void rows.set(e.database, { state: "running", current: "", applied: 0, startedAt: Date.now() }),
      "lock:waiting": (e) => {
        const row = rows.get(e.database);
        if (row) row.state = "waiting for the migration lock";
        clear();
        stream.write(`${waitingLine(e)}\n`);
        draw();
      },
      "migration:start": (e) => {
        const row = rows.get(e.database);
        if (row) {
          row.state = "running";
          row.current = e.migration;
        }
      },
      "migration:applied": (e) => {
        const row = rows.get(e.database);
        if (row) row.applied++;
      },
      "migration:reverted": (e) => {
        const row = rows.get(e.database);
        if (row) row.applied++;
      },
      "database:done": (e) => {
        rows.delete(e.database);
        finished++;
      },
    },
  };
}
