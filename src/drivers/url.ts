import { isAbsolute, resolve } from "node:path";
import { StagecraftError } from "../errors.js";
import type { Dialect } from "./driver.js";

export interface ParsedUrl {
  dialect: Dialect;
  /** For SQLite: absolute file path or `:memory:`; for servers: the URL to hand the client. */
  location: string;
  /** SQLite `?key=value` options (pragmas). */
  options: Record<string, string>;
  /** Password, for scrubbing from messages. */
  secrets: string[];
}

const SERVER_SCHEMES: Record<string, Dialect> = {
  "postgres:": "postgres",
  "postgresql:": "postgres",
  "mysql:": "mysql",
  "mariadb:": "mysql",
};

/** Parses a connection URL. `workDir` anchors relative SQLite paths. The error never repeats the URL. */
export function parseConnectionUrl(url: string, workDir: string, envName: string): ParsedUrl {
  const sqlite = /^(?:sqlite|file):(?:\/\/)?(.*)$/i.exec(url);
  if (sqlite) {
    const [pathPart = "", query = ""] = (sqlite[1] ?? "").split("?", 2);
    if (pathPart === "") throw badUrl(envName, "a sqlite: URL needs a file path, e.g. sqlite:./data/app.db or sqlite::memory:");
    const options = Object.fromEntries(new URLSearchParams(query));
    const location = pathPart === ":memory:" ? ":memory:" : isAbsolute(pathPart) ? pathPart : resolve(workDir, pathPart);
    return { dialect: "sqlite", location, options, secrets: [] };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl(envName, "it is not a valid URL");
  }
  const dialect = SERVER_SCHEMES[parsed.protocol];
  if (dialect === undefined) {
    throw badUrl(envName, `scheme "${parsed.protocol}" is not supported; use postgres://, postgresql://, mysql://, mariadb://, sqlite:<path> or file:<path>`);
  }
  const password = decodeURIComponent(parsed.password);
  const secrets = password === "" ? [] : [password, parsed.password, url];
  if (parsed.protocol === "mariadb:") parsed.protocol = "mysql:";
  return { dialect, location: parsed.toString(), options: {}, secrets };
}

/** The URL with any password replaced by `***`; safe for messages and reports. */
export function redactUrl(url: string): string {
  if (/^(?:sqlite|file):/i.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable URL>";
  }
}

function badUrl(envName: string, why: string): StagecraftError {
  return new StagecraftError("invalid_config", `the connection URL in $${envName} is unusable: ${why}`, {
    hint: `set ${envName} to a URL such as postgres://user:pass@host:5432/db`,
  });
}
