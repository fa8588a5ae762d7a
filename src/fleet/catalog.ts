import { existsSync } from "node:fs";
import { readEnv, type Env } from "../config/env.js";
import type { Driver } from "../drivers/driver.js";
import { openDriver } from "../drivers/open-driver.js";
import { parseConnectionUrl } from "../drivers/url.js";
import { scrubSecrets } from "../errors.js";
import { firstLine } from "../util/text.js";
import { displayUrl, urlSecrets } from "./secrets.js";

export interface CatalogQuery {
  connectionEnv: string;
  sql: string;
  timeoutMs: number;
}

export type CatalogResult =
  | { ok: true; rows: Record<string, unknown>[] }
  | { ok: false; message: string; hint: string; key: "connection_env" | "sql" | "timeout_ms" };

/**
 * Runs a fleet's catalog query in the main thread: connect, query, close, all within
 * `timeoutMs`. Never throws. Messages name the catalog by its redacted URL and are scrubbed of
 * its password, so a failing catalog is reported like any config problem without leaking it.
 */
export async function queryCatalog(query: CatalogQuery, dir: string, env: Env): Promise<CatalogResult> {
  const url = readEnv(env, query.connectionEnv);
  if (url === undefined || url === "") {
    return { ok: false, key: "connection_env", message: `environment variable ${query.connectionEnv} is not set (the catalog's connection URL)`, hint: `set ${query.connectionEnv} to the URL of the database that holds the catalog` };
  }
  const secrets = urlSecrets(url, dir);
  const target = displayUrl(url, dir);
  try {
    const parsed = parseConnectionUrl(url, dir, query.connectionEnv);
    // Opening a missing SQLite file would create an empty catalog and report "no such table".
    if (parsed.dialect === "sqlite" && parsed.location !== ":memory:" && !existsSync(parsed.location)) {
      return { ok: false, key: "connection_env", message: `cannot reach the catalog: SQLite file ${parsed.location} does not exist`, hint: `check ${query.connectionEnv} (a relative sqlite: path is relative to the config file)` };
    }
  } catch (error) {
    return { ok: false, key: "connection_env", message: `cannot reach the catalog: ${scrubSecrets((error as Error).message, secrets)}`, hint: `set ${query.connectionEnv} to a URL such as postgres://user:pass@host:5432/catalog` };
  }

  let driver: Driver | undefined;
  let timedOut = false;
  let phase: "connect" | "query" = "connect";
  const work = (async () => {
    const opened = await openDriver({ url, workDir: dir, connectionEnv: query.connectionEnv });
    // A connection that arrives after the deadline is closed at once.
    if (timedOut) return void (await opened.close().catch(() => undefined));
    driver = opened;
    phase = "query";
    return opened.query(query.sql);
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), query.timeoutMs)));
  try {
    const outcome = await Promise.race([work, deadline]);
    if (outcome === "timeout") {
      timedOut = true;
      work.catch(() => undefined);
      return { ok: false, key: "timeout_ms", message: `the catalog ${target} did not answer within ${query.timeoutMs} ms (stuck in ${phase})`, hint: "check the catalog server and the query, or raise query.timeout_ms" };
    }
    return { ok: true, rows: outcome ?? [] };
  } catch (error) {
    const message = scrubSecrets(firstLine(String((error as Error)?.message ?? error)), secrets);
    return phase === "connect"
      ? { ok: false, key: "connection_env", message: `cannot reach the catalog: ${message}`, hint: `check that the catalog server is running and that ${query.connectionEnv} is right` }
      : { ok: false, key: "sql", message: `the catalog query failed on ${target}: ${message}`, hint: "run the query by hand against the catalog; it must return a name column, optionally url, tags and attributes" };
  } finally {
    clearTimeout(timer);
    // After a timeout the connection may be stuck: close it without waiting for it.
    const closing = driver?.close().catch(() => undefined);
    if (!timedOut) await closing;
  }
}
