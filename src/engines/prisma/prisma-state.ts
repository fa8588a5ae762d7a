import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import type { Driver } from "../../drivers/driver.js";
import type { Migration, PlanOptions, PlanWarning } from "../../registry/engine.js";
import { sha256MatchesIgnoringLineEndings } from "../shared/checksum.js";
import type { PrismaConfig } from "./config.js";
import { prismaSourceOf, readLockProvider, type PrismaMigration } from "./prisma-source.js";
import { PRISMA_PROVIDER, PrismaTable, type PrismaRow } from "./prisma-table.js";

export interface PrismaState {
  migrations: PrismaMigration[];
  /** Rows that count: not rolled back. */
  live: Map<string, PrismaRow>;
  /** Rows of attempts that did not finish and were not rolled back (Prisma's P3009). */
  failed: PrismaRow[];
  tableExists: boolean;
  warnings: PlanWarning[];
  blocked?: StagecraftError;
}

export async function readState(driver: Driver, config: PrismaConfig, opts: PlanOptions): Promise<PrismaState> {
  const provider = readLockProvider(opts.migrationPath);
  const expected = PRISMA_PROVIDER[driver.dialect];
  if (provider !== undefined && provider !== expected) {
    throw new StagecraftError("invalid_config", `migration_lock.toml says provider = "${provider}" but this database is ${expected} (Prisma's P3019)`, {
      file: join(opts.migrationPath, "migration_lock.toml"),
      hint: "point the database at the right migrations folder; Prisma migrations are written for one provider",
    });
  }
  const { migrations, warnings } = prismaSourceOf(opts);
  const table = new PrismaTable(driver);
  const tableExists = await table.exists();
  const rows = tableExists ? await table.read() : [];
  const failed = rows.filter((r) => r.finishedAt === null && r.rolledBackAt === null);
  const live = new Map(rows.filter((r) => r.rolledBackAt === null).map((r) => [r.migrationName, r]));
  let blocked: StagecraftError | undefined;
  if (failed.length > 0) {
    const list = failed.map((r) => `The \`${r.migrationName}\` migration started at ${r.startedAt} failed${r.logs ? `: ${r.logs}` : ""}`).join("; ");
    blocked = new StagecraftError("migration_failed", `found failed migrations in the target database, new migrations will not be applied (Prisma's P3009). ${list}`, {
      migration: failed[0]!.migrationName,
      hint: `inspect the database, then run \`stagecraft migrate resolve --database ${opts.database} --rolled-back ${failed[0]!.migrationName}\` (it left nothing; it will be retried) or \`--applied ${failed[0]!.migrationName}\` (you completed it by hand); \`prisma migrate resolve\` does the same`,
    });
  }
  for (const m of migrations) {
    const row = live.get(m.id);
    if (blocked === undefined && row?.finishedAt != null && !config.allow_changed && !sha256MatchesIgnoringLineEndings(row.checksum, m.script)) {
      blocked = new StagecraftError("checksum_mismatch", `migration ${m.id} was modified after it was applied: ${m.file}`, {
        migration: m.id, file: m.file, hint: "restore the applied version and create a new migration for the change, or set allow_changed: true",
      });
    }
  }
  return { migrations, live, failed, tableExists, warnings, ...(blocked ? { blocked } : {}) };
}

/** Every migration with its state; failed attempts of folders that are gone come last. */
export function planOf(state: PrismaState): Migration[] {
  const failed = new Map(state.failed.map((r) => [r.migrationName, r]));
  const listed = state.migrations.map((m) => entry(m.id, m.description, m.checksum, state.live.get(m.id), failed.get(m.id)));
  const known = new Set(state.migrations.map((m) => m.id));
  return [...listed, ...state.failed.filter((r) => !known.has(r.migrationName)).map((r) => entry(r.migrationName, r.migrationName, undefined, undefined, r))];
}

function entry(id: string, description: string, checksum: string | undefined, row: PrismaRow | undefined, failed: PrismaRow | undefined): Migration {
  const sum = checksum === undefined ? {} : { checksum };
  if (row?.finishedAt != null) return { id, description, applied: true, state: "applied", ...sum, appliedAt: row.finishedAt };
  if (failed) return { id, description, applied: false, state: "failed", ...sum, ...(failed.startedAt ? { startedAt: failed.startedAt } : {}), ...(failed.logs ? { error: failed.logs } : {}) };
  return { id, description, applied: false, state: "pending", ...sum };
}
