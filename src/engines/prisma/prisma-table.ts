import { randomUUID } from "node:crypto";
import type { Dialect, Driver } from "../../drivers/driver.js";
import { toIsoUtc } from "../shared/iso-time.js";

export interface PrismaRow {
  id: string;
  checksum: string;
  migrationName: string;
  startedAt: string;
  finishedAt: string | null;
  rolledBackAt: string | null;
  logs: string | null;
}

/** The name Prisma gives each dialect in `migration_lock.toml` and its errors. */
export const PRISMA_PROVIDER: Record<Dialect, string> = { postgres: "postgresql", mysql: "mysql", sqlite: "sqlite" };

/** Prisma's schema engine DDL for `_prisma_migrations` (engine-formats §2.2), created unqualified like Prisma does. */
const DDL: Record<Dialect, string> = {
  postgres: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id")
)`,
  mysql: `CREATE TABLE IF NOT EXISTS \`_prisma_migrations\` (
    \`id\` VARCHAR(36) NOT NULL,
    \`checksum\` VARCHAR(64) NOT NULL,
    \`finished_at\` DATETIME(3) NULL,
    \`migration_name\` VARCHAR(255) NOT NULL,
    \`logs\` TEXT NULL,
    \`rolled_back_at\` DATETIME(3) NULL,
    \`started_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    \`applied_steps_count\` INTEGER UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
};

export const PRISMA_TABLE = "_prisma_migrations";

/** `_prisma_migrations`, read and written exactly as Prisma's schema engine does. */
export class PrismaTable {
  readonly #driver: Driver;
  readonly #table: string;

  constructor(driver: Driver) {
    this.#driver = driver;
    this.#table = driver.quote(PRISMA_TABLE);
  }

  async exists(): Promise<boolean> {
    return this.#driver.tableExists(PRISMA_TABLE);
  }

  async ensure(): Promise<void> {
    await this.#driver.exec(DDL[this.#driver.dialect]);
  }

  async read(): Promise<PrismaRow[]> {
    const rows = await this.#driver.query<Record<string, unknown>>(
      `SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, logs FROM ${this.#table} ORDER BY started_at, migration_name`,
    );
    // Timestamps come as Date (pg), zone-less DATETIME text (MySQL) or text with an offset (SQLite): all UTC.
    const time = (v: unknown): string | null => (v == null ? null : toIsoUtc(v) ?? String(v));
    return rows.map((r) => ({
      id: String(r.id),
      checksum: String(r.checksum),
      migrationName: String(r.migration_name),
      startedAt: time(r.started_at) ?? "",
      finishedAt: time(r.finished_at),
      rolledBackAt: time(r.rolled_back_at),
      logs: r.logs == null ? null : String(r.logs),
    }));
  }

  /**
   * Whether `name` has a row that counts (not rolled back). Call inside the migration's
   * transaction. Compared here byte for byte, as Prisma compares: on MySQL the column's
   * `utf8mb4_unicode_ci` collation would take `…_Users` for `…_users`.
   */
  async isLive(name: string): Promise<boolean> {
    const rows = await this.#driver.query<{ migration_name: unknown }>(`SELECT migration_name FROM ${this.#table} WHERE migration_name = ? AND rolled_back_at IS NULL`, [name]);
    return rows.some((r) => String(r.migration_name) === name);
  }

  /** A row for a migration about to run: `finished_at` NULL until {@link finish}. */
  async start(name: string, checksum: string): Promise<string> {
    const id = randomUUID();
    await this.#driver.query(
      `INSERT INTO ${this.#table} (id, checksum, started_at, finished_at, migration_name, logs, rolled_back_at, applied_steps_count) VALUES (?, ?, ?, NULL, ?, NULL, NULL, 0)`,
      [id, checksum, this.#driver.timestampValue(new Date()), name],
    );
    return id;
  }

  async finish(id: string): Promise<void> {
    await this.#driver.query(`UPDATE ${this.#table} SET finished_at = ?, applied_steps_count = 1 WHERE id = ?`, [this.#driver.timestampValue(new Date()), id]);
  }

  async fail(id: string, logs: string): Promise<void> {
    await this.#driver.query(`UPDATE ${this.#table} SET logs = ? WHERE id = ?`, [logs, id]);
  }

  /** `migrate resolve --applied`: a finished row with no steps, started = finished. */
  async markApplied(name: string, checksum: string): Promise<void> {
    const now = this.#driver.timestampValue(new Date());
    await this.#driver.query(
      `INSERT INTO ${this.#table} (id, checksum, started_at, finished_at, migration_name, logs, rolled_back_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, NULL, NULL, 0)`,
      [randomUUID(), checksum, now, now, name],
    );
  }

  /** `migrate resolve --rolled-back`: failed rows of `name` stay as history, marked rolled back. */
  async markRolledBack(name: string): Promise<number> {
    const failed = (await this.read()).filter((r) => r.migrationName === name && r.finishedAt === null && r.rolledBackAt === null);
    for (const row of failed) await this.#driver.query(`UPDATE ${this.#table} SET rolled_back_at = ? WHERE id = ?`, [this.#driver.timestampValue(new Date()), row.id]);
    return failed.length;
  }
}
