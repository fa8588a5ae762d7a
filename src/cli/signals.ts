import { constants } from "node:os";

export type StopSignal = "SIGINT" | "SIGTERM";

/** The exit code of a run a signal stopped, as a shell reports a process the signal killed: 128 + its number. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

export interface GracefulStop {
  /** Aborted on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** The first signal received, if any. */
  received(): StopSignal | undefined;
  dispose(): void;
}

/**
 * SIGINT (Ctrl-C) and SIGTERM (Kubernetes, Docker, CI cancellation) both stop a run gracefully:
 * the running migrations finish, nothing new starts, the report is printed. A second signal of
 * either kind quits at once, with the code of that signal.
 */
export function gracefulStop(say: (text: string) => void): GracefulStop {
  const controller = new AbortController();
  let first: StopSignal | undefined;
  const on = (signal: StopSignal): void => {
    if (first !== undefined) return quitNow(signal);
    first = signal;
    const again = signal === "SIGINT" ? "Ctrl-C again to quit at once" : "SIGTERM received; send it again to quit at once";
    say(`stopping: running migrations finish, nothing new starts (${again})`);
    controller.abort();
  };
  const handlers = { SIGINT: () => on("SIGINT"), SIGTERM: () => on("SIGTERM") };
  const dispose = (): void => {
    process.off("SIGINT", handlers.SIGINT);
    process.off("SIGTERM", handlers.SIGTERM);
  };
  /**
   * Ends the process the way the signal would have without us. Not process.exit: it waits for
   * worker threads, and one blocked in native code (SQLite waiting for a write lock) would hold
   * the process for up to lock_timeout_ms.
   */
  const quitNow = (signal: StopSignal): void => {
    dispose();
    process.kill(process.pid, signal);
  };
  process.on("SIGINT", handlers.SIGINT);
  process.on("SIGTERM", handlers.SIGTERM);
  return { signal: controller.signal, received: () => first, dispose };
}
