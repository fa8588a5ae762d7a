/**
 * Every failure stagecraft reports carries one of these kinds. The CLI maps them to exit codes
 * and the run report carries them as `error.kind`.
 */
export const ERROR_KINDS = [
  "invalid_config",
  "unsupported",
  "dependency_missing",
  "connection_failed",
  "migration_failed",
  "checksum_mismatch",
  "lock_timeout",
  "migration_timeout",
  "cancelled",
  "internal",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Context that locates a failure. Every field is optional; messages already include them. */
export interface ErrorContext {
  database?: string;
  migration?: string;
  file?: string;
  line?: number;
  /** What the user can do about it. */
  hint?: string;
  /** Server error code (SQLSTATE on PostgreSQL, errno name on MySQL, SQLITE_* on SQLite). */
  driverCode?: string;
}

/** The plain shape an error takes in a run report and across a worker-thread boundary. */
export interface SerializedError extends ErrorContext {
  kind: ErrorKind;
  message: string;
}

export class StagecraftError extends Error {
  readonly kind: ErrorKind;
  readonly context: ErrorContext;

  constructor(kind: ErrorKind, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StagecraftError";
    this.kind = kind;
    this.context = context;
  }

  toJSON(): SerializedError {
    return serializeError(this);
  }
}

export function isStagecraftError(value: unknown): value is StagecraftError {
  return value instanceof StagecraftError;
}

/**
 * Turns any thrown value into the plain report shape. Class identity does not survive
 * structured clone, so this is what crosses thread boundaries.
 */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof StagecraftError) {
    const out: SerializedError = { kind: error.kind, message: error.message };
    for (const [key, value] of Object.entries(error.context)) {
      if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = value;
    }
    return out;
  }
  if (error instanceof Error) return { kind: "internal", message: error.message };
  return { kind: "internal", message: String(error) };
}

/** Rebuilds a StagecraftError from its serialised form (after a worker round trip). */
export function deserializeError(plain: SerializedError): StagecraftError {
  const { kind, message, ...context } = plain;
  const safeKind = (ERROR_KINDS as readonly string[]).includes(kind) ? kind : "internal";
  return new StagecraftError(safeKind, message, context);
}

/** Replaces every occurrence of each secret (raw and URL-encoded) in `text` with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 3) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join("***");
    }
  }
  return out;
}

/** Applies {@link scrubSecrets} to every string field of a serialised error. */
export function scrubError(error: SerializedError, secrets: readonly string[]): SerializedError {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    out[key] = typeof value === "string" ? scrubSecrets(value, secrets) : value;
  }
  return out as unknown as SerializedError;
}
