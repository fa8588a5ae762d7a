import type { StagecraftConfig } from "../config/load.js";
import type { Driver } from "../drivers/driver.js";
import { openDriver } from "../drivers/open-driver.js";
import { isStagecraftError, scrubSecrets, StagecraftError } from "../errors.js";
import { urlSecrets } from "../fleet/secrets.js";
import { ensureLedgerTables, ledgerTables, ledgerTablesExist, type LedgerTables } from "./tables.js";

/** How long opening the ledger may take: it is checked before any database is touched. */
export const LEDGER_CONNECT_TIMEOUT_MS = 10_000;

export interface OpenLedger {
  driver: Driver;
  tables: LedgerTables;
  /** The ledger URL's secrets, to scrub from anything printed about it. */
  secrets: string[];
  /** Opened to read, and its tables do not exist yet: no run was ever recorded. */
  empty: boolean;
}

/**
 * Connects to the config's ledger and makes sure its tables exist. Throws `invalid_config` when
 * the config has no ledger or its variable is unset, `connection_failed` when it cannot be
 * reached; messages name the variable and the redacted URL, never the password.
 */
export async function openLedger(config: StagecraftConfig, env: Readonly<Record<string, string | undefined>>, { create = true }: { create?: boolean } = {}): Promise<OpenLedger> {
  const settings = config.ledger;
  if (settings === undefined) throw new StagecraftError("invalid_config", `${config.file} has no ledger: section`, { hint: "add ledger: { connection_env: LEDGER_URL } (docs/ledger.md)" });
  const url = env[settings.connectionEnv];
  if (url === undefined || url === "") {
    throw new StagecraftError("invalid_config", `the ledger's URL is not set: ledger.connection_env names ${settings.connectionEnv}, which is ${url === undefined ? "not set" : "empty"}`, { hint: `set ${settings.connectionEnv} to a postgres://, mysql:// or sqlite: URL` });
  }
  const secrets = urlSecrets(url, config.dir);
  let driver: Driver | undefined;
  try {
    driver = await openDriver({ url, workDir: config.dir, connectionEnv: settings.connectionEnv, connection: { connectTimeoutMs: LEDGER_CONNECT_TIMEOUT_MS } });
    if (!create) return { driver, tables: ledgerTables(driver, settings.tablePrefix), secrets, empty: !(await ledgerTablesExist(driver, settings.tablePrefix)) };
    return { driver, tables: await ensureLedgerTables(driver, settings.tablePrefix), secrets, empty: false };
  } catch (error) {
    await driver?.close().catch(() => undefined);
    const said = scrubSecrets((error as Error)?.message ?? String(error), secrets);
    const kind = isStagecraftError(error) ? error.kind : "connection_failed";
    throw new StagecraftError(kind === "invalid_config" || kind === "dependency_missing" ? kind : "connection_failed", `the ledger (${settings.connectionEnv}) cannot be used: ${said}`, {
      hint: "check the ledger's server and URL, or pass --ledger-optional to migrate without recording the run",
    });
  }
}
