import type { RunnerListeners } from "../runner/events.js";
import type { makeStyle } from "./style.js";

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

/**
 * Progress during a run. On a TTY: a live block, one line per running database (state,
 * current migration, count, elapsed); a database shows only once a worker has begun it, not
 * while it waits its turn. Elsewhere: one plain line per event.
 */
export function progressListeners(stream: NodeJS.WriteStream, style: Style, verbose: boolean): Progress {
  if (stream.isTTY !== true) {
    const line = (text: string): void => void stream.write(`${text}\n`);
    return {
      note: (text) => line(text),
      stop: () => undefined,
      on: {
        "database:start": (e) => verbose && line(`${e.database}: started (${e.engine})`),
        "migration:start": (e) => verbose && line(`${e.database}: ${e.direction === "down" ? "reverting" : "applying"} ${e.migration}`),
        "migration:applied": (e) => line(`${e.database}: applied ${e.migration} (${e.durationMs} ms)`),
        "migration:reverted": (e) => line(`${e.database}: reverted ${e.migration} (${e.durationMs} ms)`),
        "database:done": (e) => line(`${e.database}: ${e.report.status}${e.report.error ? ` — ${e.report.error.message}` : ""}`),
      },
    };
  }
  const rows = new Map<string, Row>();
  let drawn = 0;
  let finished = 0;
  const draw = (): void => {
    const now = Date.now();
    const lines = [...rows.entries()].map(([name, r]) => `${style.bold(name)} ${r.state} ${r.current} ${style.dim(`${r.applied} applied, ${((now - r.startedAt) / 1000).toFixed(1)} s`)}`);
    lines.push(style.dim(`${finished} done`));
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
      "database:start": (e) => void rows.set(e.database, { state: "running", current: "", applied: 0, startedAt: Date.now() }),
      "migration:start": (e) => {
        const row = rows.get(e.database);
        if (row) row.current = e.migration;
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
