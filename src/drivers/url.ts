import { isAbsolute, resolve } from "node:path";
import { StagecraftError } from "../errors.js";
import type { Dialect } from "./driver.js";

export interface ParsedUrl {
  dialect: Dialect;
  /** For SQLite: absolute file path or `:memory:`; for servers: the URL to hand the client. */
  location: string;
  /** SQLite `?key=value` options (pragmas). */
  options: Record<string, string>;
  /** Every secret of the URL (see {@link secretsOf}), for scrubbing messages. */
  secrets: string[];
}

const SERVER_SCHEMES: Record<string, Dialect> = {
  "postgres:": "postgres",
  "postgresql:": "postgres",
  "mysql:": "mysql",
  "mariadb:": "mysql",
};

/**
 * Query parameters whose values are secrets: libpq and mysql2 read `password` (and
 * `sslpassword`) from the query string, and users write `pass`, `pwd`, `token`.
 */
const SECRET_PARAM = /pass|pwd|secret|token/i;

/** Whether `url` names a SQLite file (`sqlite:` or `file:`, leading space allowed): no server, nothing secret in it. */
export function isSqliteUrl(url: string): boolean {
  return /^\s*(?:sqlite|file):/i.test(url);
}

/**
 * Whether `url` is a SQLite URL that {@link parseConnectionUrl} accepts and that is shown as
 * written: `sqlite:` or `file:` (with or without `//`), a path that neither starts nor ends with
 * a space, no query string. Such a URL needs no parse before it is opened; anything else does.
 */
export function isPlainSqliteUrl(url: string): boolean {
  return /^(?:sqlite|file):(?:\/\/(?=[^?\s])|(?!\/\/))[^?\s][^?]*(?<!\s)$/i.test(url);
}

/** Parses a connection URL. `workDir` anchors relative SQLite paths. The error never repeats the URL. */
export function parseConnectionUrl(url: string, workDir: string, envName: string): ParsedUrl {
  const sqlite = /^\s*(?:sqlite|file):(?:\/\/)?(.*?)\s*$/is.exec(url);
  if (sqlite) {
    const [pathPart = "", query = ""] = (sqlite[1] ?? "").split("?", 2);
    if (pathPart === "") throw badUrl(envName, "a sqlite: URL needs a file path, e.g. sqlite:./data/app.db or sqlite::memory:");
    const options = Object.fromEntries(new URLSearchParams(query));
    const location = pathPart === ":memory:" ? ":memory:" : isAbsolute(pathPart) ? pathPart : resolve(workDir, pathPart);
    return { dialect: "sqlite", location, options, secrets: [] };
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw badUrl(envName, "it is not a valid URL (a password with @, :, / or # in it must be percent-encoded, e.g. @ as %40)");
  }
  const dialect = SERVER_SCHEMES[parsed.protocol];
  if (dialect === undefined) {
    throw badUrl(envName, `scheme "${parsed.protocol}" is not supported; use postgres://, postgresql://, mysql://, mariadb://, sqlite:<path> or file:<path>`);
  }
  for (const [part, value] of [["user name", parsed.username], ["password", parsed.password], ["database name", parsed.pathname]] as const) {
    if (!isDecodable(value)) throw badUrl(envName, `the ${part} holds a malformed percent-escape (a % not followed by two hex digits); write a literal % as %25`);
  }
  if (parsed.protocol === "mariadb:") parsed.protocol = "mysql:";
  return { dialect, location: parsed.toString(), options: {}, secrets: secretsOf(url) };
}

/**
 * Every secret a connection URL holds, decoded and as written: the userinfo password and the
 * values of password-like query parameters. Works on URLs that do not parse (a password with
 * a raw `@` or `/`, a malformed escape), so their secrets can still be scrubbed.
 */
export function secretsOf(url: string): string[] {
  const text = url.trim();
  const found = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value === undefined || value === "") return;
    found.add(value);
    const decoded = safeDecode(value.replaceAll("+", " "));
    if (decoded !== undefined) found.add(decoded);
    const plain = safeDecode(value);
    if (plain !== undefined) found.add(plain);
  };
  let parsed: URL | undefined;
  try {
    parsed = new URL(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined) add(parsed.password);
  else {
    // Nothing of a URL that does not parse is shown (the target reads `<unparseable URL>`),
    // so all of it counts as secret, besides the password guessed from its shape.
    if (!/^(?:sqlite|file):/i.test(text)) found.add(text);
    add(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*:(.*)@/s.exec(text)?.[1]);
  }
  // Query parameters, and libpq's `key=value` connection strings.
  for (const match of text.matchAll(/(?:^|[?&;\s])([^=&#\s]*)=([^&#;\s]*)/g)) {
    if (SECRET_PARAM.test(match[1] ?? "")) add(match[2]);
  }
  return [...found];
}

/** The URL with its password (userinfo and password-like query parameters) replaced by `***`; safe for messages and reports. */
export function redactUrl(url: string): string {
  const text = url.trim();
  if (isSqliteUrl(text)) return text;
  try {
    const parsed = new URL(text);
    if (parsed.password !== "") parsed.password = "***";
    // Rewritten by hand, not through searchParams, so the rest of the query stays as written.
    parsed.search = parsed.search.replace(/([?&;])([^=&#]*)=([^&#;]*)/g, (all, sep: string, key: string) => (SECRET_PARAM.test(key) ? `${sep}${key}=***` : all));
    return parsed.toString();
  } catch {
    return "<unparseable URL>";
  }
}

function isDecodable(value: string): boolean {
  return safeDecode(value) !== undefined;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function badUrl(envName: string, why: string): StagecraftError {
  return new StagecraftError("invalid_config", `the connection URL in $${envName} is unusable: ${why}`, {
    hint: `set ${envName} to a URL such as postgres://user:pass@host:5432/db`,
  });
}
