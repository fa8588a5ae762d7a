import { baselineTargets } from "../../registry/baseline-targets.js";
import type { BaselineOptions, BaselineResult } from "../../registry/engine.js";
import { readKnexConfig } from "./settings.js";
import { planOf, readState, withKnexLocked } from "./knex-engine.js";

/**
 * `migrate baseline --to ID` for knex folders: a `knex_migrations` row per file up to ID (IDs are
 * file names with their extension, as knex records them), all in one new batch, written in one
 * transaction while holding knex's lock row. No migration module is loaded. knex's Migrator then
 * lists those files as completed, and `knex migrate:rollback` would treat the batch as one.
 */
export async function baseline(opts: BaselineOptions): Promise<BaselineResult> {
  const config = readKnexConfig(opts.config);
  return withKnexLocked(opts, config, async (knex, tables) => {
    const state = await readState(knex, tables, config, opts);
    // Complete migrations whose runner died before it cleared their mark, as a run does.
    for (const marker of state.stale) await tables.unmark(knex, marker.name);
    const ids = baselineTargets(planOf(state), opts.to, opts.migrationPath, opts.database);
    if (state.blocked) throw state.blocked;
    if (ids.length === 0) return { marked: [], migrations: planOf(state), warnings: state.source.warnings };
    await knex.transaction(async (trx) => {
      const batch = (await tables.latestBatch(trx)) + 1;
      for (const name of ids) await tables.record(trx, name, batch);
    });
    const after = await readState(knex, tables, config, opts);
    return { marked: ids, migrations: planOf(after), warnings: after.source.warnings };
  });
}
