import type { Driver } from "../drivers/driver.js";
import { StagecraftError } from "../errors.js";

/** The version of the ledger's tables this stagecraft writes; a newer one in the ledger is refused. */
export const LEDGER_SCHEMA_VERSION = 1;
/** How long a shard waits for another one creating the tables at the same time. */
const SCHEMA_LOCK_TIMEOUT_MS = 30_000;

/** Quoted names of the ledger's tables for one `table_prefix`. */
export interface LedgerTables {
  meta: string;
  runs: string;
  databases: string;
}

export function ledgerTables(driver: Driver, prefix: string): LedgerTables {
  return { meta: driver.quote(`${prefix}ledger_meta`), runs: driver.quote(`${prefix}runs`), databases: driver.quote(`${prefix}run_databases`) };
}

/**
 * Creates the tables on first use and checks the version of existing ones, under a lock, so
 * shards starting together do not race to create them. Timestamps are ISO 8601 UTC text (they
 * sort as text and read the same on every dialect); lists are JSON text.
 */
export async function ensureLedgerTables(driver: Driver, prefix: string): Promise<LedgerTables> {
  const t = ledgerTables(driver, prefix);
  if (!(await driver.tableExists(`${prefix}ledger_meta`))) return createLedgerTables(driver, prefix, t);
  await checkVersion(driver, prefix, t);
  return t;
}

/** Whether the ledger's tables exist (a reader does not create them), checking their version when they do. */
export async function ledgerTablesExist(driver: Driver, prefix: string): Promise<boolean> {
  if (!(await driver.tableExists(`${prefix}ledger_meta`))) return false;
  await checkVersion(driver, prefix, ledgerTables(driver, prefix));
  return true;
}

async function checkVersion(driver: Driver, prefix: string, t: LedgerTables): Promise<void> {
  const rows = await driver.query<{ meta_value: string }>(`SELECT meta_value FROM ${t.meta} WHERE meta_key = ?`, ["schema_version"]);
  const version = Number(rows[0]?.meta_value);
  if (!(version >= 1)) throw new StagecraftError("invalid_config", `the ledger table ${prefix}ledger_meta has no schema_version row; it was not created by stagecraft`, { hint: "choose another ledger.table_prefix, or drop the table" });
  if (version > LEDGER_SCHEMA_VERSION) {
    throw new StagecraftError("invalid_config", `the ledger's tables are at version ${version}, newer than this stagecraft reads (${LEDGER_SCHEMA_VERSION})`, { hint: "upgrade stagecraft on this machine to the version the other runners use" });
  }
}

async function createLedgerTables(driver: Driver, prefix: string, t: LedgerTables): Promise<LedgerTables> {
  const { key, text, bigint } = driver.types;
  const lock = await driver.lock({ name: `${prefix}ledger` }, SCHEMA_LOCK_TIMEOUT_MS);
  try {
    // Another shard may have created them while this one waited for the lock.
    if (await driver.tableExists(`${prefix}ledger_meta`)) {
      await checkVersion(driver, prefix, t);
      return t;
    }
    // Table by table: a setup cut short (a killed shard) is finished by the next one.
    if (!(await driver.tableExists(`${prefix}runs`))) {
      await driver.exec(`CREATE TABLE ${t.runs} (
  id ${key} NOT NULL PRIMARY KEY,
  label ${key} NOT NULL,
  mode ${key} NOT NULL,
  wave ${key},
  status ${key} NOT NULL,
  started_at ${key} NOT NULL,
  finished_at ${key},
  heartbeat_at ${key} NOT NULL,
  stagecraft_version ${key} NOT NULL,
  config_hash ${key} NOT NULL,
  migration_sets ${text} NOT NULL,
  shard_index ${bigint} NOT NULL,
  shard_count ${bigint} NOT NULL,
  host ${key} NOT NULL,
  pid ${bigint} NOT NULL,
  selected ${bigint} NOT NULL,
  succeeded ${bigint},
  failed ${bigint},
  skipped ${bigint},
  cancelled ${bigint}
)`);
      await driver.exec(`CREATE INDEX ${driver.quote(`${prefix}runs_label`)} ON ${t.runs} (label)`);
    }
    if (!(await driver.tableExists(`${prefix}run_databases`))) {
      await driver.exec(`CREATE TABLE ${t.databases} (
  run_id ${key} NOT NULL,
  database_name ${key} NOT NULL,
  label ${key} NOT NULL,
  engine ${key} NOT NULL,
  status ${key} NOT NULL,
  shard_index ${bigint} NOT NULL,
  shard_count ${bigint} NOT NULL,
  applied ${text} NOT NULL,
  error_kind ${key},
  error_message ${text},
  error_migration ${key},
  started_at ${key},
  finished_at ${key},
  updated_at ${key} NOT NULL,
  duration_ms ${bigint},
  PRIMARY KEY (run_id, database_name)
)`);
      await driver.exec(`CREATE INDEX ${driver.quote(`${prefix}run_databases_label`)} ON ${t.databases} (label)`);
    }
    // Last: its row is what says the tables are complete.
    await driver.exec(`CREATE TABLE ${t.meta} (meta_key ${key} NOT NULL PRIMARY KEY, meta_value ${text} NOT NULL)`);
    await driver.query(`INSERT INTO ${t.meta} (meta_key, meta_value) VALUES (?, ?)`, ["schema_version", String(LEDGER_SCHEMA_VERSION)]);
    return t;
  } finally {
    await lock.release();
  }
}
