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
  "resource_exhausted",
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

/**
 * Marks stagecraft's errors, so an error from another copy of this module is still recognised:
 * the command and the worker threads run from bundles (scripts/bundle.mjs) while a plugin imports the package.
 */
const BRAND = Symbol.for("stagecraft.StagecraftError");

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

  /** True for a StagecraftError of any copy of stagecraft; a subclass still checks its own class. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== StagecraftError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
Object.defineProperty(StagecraftError.prototype, BRAND, { value: true });

export function isStagecraftError(value: unknown): value is StagecraftError {
  return value instanceof StagecraftError;
}

/**
 * Turns any thrown value into the plain report shape. Class identity does not survive
 * structured clone, so this is what crosses thread boundaries. Failures of the machine rather
 * than of stagecraft (a full disk, a file it may not read) get their own kind and a hint
 * instead of `internal`.
 */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof StagecraftError) {
    const out: SerializedError = { kind: error.kind, message: error.message };
    for (const [key, value] of Object.entries(error.context)) {
      if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = value;
    }
    return out;
  }
  if (error instanceof Error) return classifyForeign(error) ?? { kind: "internal", message: error.message };
  return { kind: "internal", message: String(error) };
}

/** Disk full as each layer says it: errno, PostgreSQL SQLSTATE class 53, MySQL errno names, SQLite. */
const RESOURCE_CODES = new Set(["ENOSPC", "EDQUOT", "EMFILE", "ENFILE", "53000", "53100", "53200", "53400", "ER_DISK_FULL", "ER_RECORD_FILE_FULL", "ER_OUT_OF_RESOURCES", "ER_OUTOFMEMORY", "SQLITE_FULL", "SQLITE_NOMEM"]);
const PERMISSION_CODES = new Set(["EACCES", "EPERM", "EROFS"]);

/** A kind and a hint for errors that come from the machine or the server, not from a stagecraft bug. */
function classifyForeign(error: Error): SerializedError | undefined {
  const { code, path, syscall } = error as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof code !== "string") return undefined;
  const where = typeof path === "string" ? path : undefined;
  if (RESOURCE_CODES.has(code)) {
    return {
      kind: "resource_exhausted",
      message: error.message,
      driverCode: code,
      hint: code === "EMFILE" || code === "ENFILE"
        ? "too many open files: lower --concurrency, or raise the open-file limit (ulimit -n)"
        : "the disk (or memory) of the database or of this machine is full: free space, then run again; a transactional migration was rolled back, a MySQL migration cut short is recorded as unfinished",
    };
  }
  if (PERMISSION_CODES.has(code) && where !== undefined) {
    return {
      kind: "invalid_config",
      message: `cannot ${typeof syscall === "string" ? syscall : "access"} ${where}: ${code === "EROFS" ? "read-only file system" : "permission denied"} (${code})`,
      file: where,
      driverCode: code,
      hint: `give the user running stagecraft access to ${where} (read for migration files, execute for their folders)`,
    };
  }
  if (code === "ENOENT" && where?.includes("\uFFFD")) {
    return {
      kind: "invalid_config",
      message: `file name ${where} is not valid UTF-8 (shown with U+FFFD for the bytes that are not), so it cannot be opened by name`,
      file: where,
      driverCode: code,
      hint: "rename the file to a UTF-8 name (migration IDs are recorded as text)",
    };
  }
  return undefined;
}

/** Rebuilds a StagecraftError from its serialised form (after a worker round trip). */
export function deserializeError(plain: SerializedError): StagecraftError {
  const { kind, message, ...context } = plain;
  const safeKind = (ERROR_KINDS as readonly string[]).includes(kind) ? kind : "internal";
  return new StagecraftError(safeKind, message, context);
}

/** Secrets this short are not masked: they would garble every message. URLs are redacted anyway. */
const MIN_SECRET_LENGTH = 3;

/**
 * Replaces every occurrence of each secret in `text` with `***`, in any spelling a library or
 * a message may give it: as is, percent-encoded (any mix, either hex case, `+` for a space)
 * and JSON-escaped.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  // Most URLs carry no secret (SQLite, a trusted local server): nothing to sort or match.
  if (secrets.length === 0) return text;
  let out = text;
  const sorted = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.replace(secretPattern(secret), "***");
  return out;
}

const patterns = new Map<string, RegExp>();

function secretPattern(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (pattern === undefined) {
    const parts = [...secret].map((char) => {
      const encoded = [...new TextEncoder().encode(char)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");
      const options = [escapeRegExp(char), anyCase(encoded)];
      if (char === " ") options.push("\\+");
      // The JSON escape first: it is longer than the bare character it starts with.
      if (char === '"' || char === "\\") options.unshift(escapeRegExp(JSON.stringify(char).slice(1, -1)));
      return `(?:${options.join("|")})`;
    });
    pattern = new RegExp(parts.join(""), "g");
    if (patterns.size > 1000) patterns.clear();
    patterns.set(secret, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

function anyCase(text: string): string {
  return [...text].map((c) => (/[A-F]/.test(c) ? `[${c}${c.toLowerCase()}]` : escapeRegExp(c))).join("");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Applies {@link scrubSecrets} to every string field of a serialised error. */
export function scrubError(error: SerializedError, secrets: readonly string[]): SerializedError {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    out[key] = typeof value === "string" ? scrubSecrets(value, secrets) : value;
  }
  return out as unknown as SerializedError;
}
