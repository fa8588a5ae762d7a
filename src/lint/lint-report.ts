import type { Dialect } from "../drivers/driver.js";
import type { SerializedError } from "../errors.js";
import type { LintFinding } from "./finding.js";

/** A finding with every selected database it concerns (a fleet's members share their folder's findings). */
export interface LintReportFinding extends LintFinding {
  engine: string;
  dialect: Dialect;
  /** Sorted: the databases that have the migration pending (with `all`: every selected database of the folder). */
  databases: string[];
}

export interface LintedDatabase {
  name: string;
  engine: string;
  /** The dialect its migrations were read as. */
  dialect?: Dialect;
  /** `linted`; `not-linted`: its engine reads no SQL (knex migrations are JavaScript); `failed`: its state or folder could not be read. */
  status: "linted" | "not-linted" | "failed";
  /** How many migrations were linted: the pending ones, or every one with `all`. */
  migrations: number;
  errors: number;
  warnings: number;
  error?: SerializedError;
  /** Why a database was not linted. */
  reason?: string;
}

/** What `stagecraft lint` (and {@link lintAll}) reports. Plain data, stable order, no timestamps. */
export interface LintReport {
  /** No error finding and no database that failed. */
  ok: boolean;
  /** `pending`: each database's pending migrations (its state was read); `all`: every migration, nothing connected. */
  mode: "pending" | "all";
  /** Sorted by file, line, column and rule. */
  findings: LintReportFinding[];
  /** Sorted by name. */
  databases: LintedDatabase[];
  summary: { databases: number; linted: number; notLinted: number; failed: number; errors: number; warnings: number };
}

/** Collects each database's findings into one report, merging findings that databases share. */
export class LintReportBuilder {
  readonly #findings = new Map<string, LintReportFinding>();
  readonly #databases: LintedDatabase[] = [];

  constructor(readonly mode: LintReport["mode"]) {}

  linted(name: string, engine: string, dialect: Dialect, migrations: number, findings: readonly LintFinding[]): void {
    for (const finding of findings) {
      const key = `${finding.file}\0${finding.line}\0${finding.column}\0${finding.rule}\0${finding.message}`;
      const known = this.#findings.get(key);
      if (known) known.databases.push(name);
      else this.#findings.set(key, { ...finding, engine, dialect, databases: [name] });
    }
    const errors = findings.filter((f) => f.severity === "error").length;
    this.#databases.push({ name, engine, dialect, status: "linted", migrations, errors, warnings: findings.length - errors });
  }

  notLinted(name: string, engine: string, reason: string): void {
    this.#databases.push({ name, engine, status: "not-linted", migrations: 0, errors: 0, warnings: 0, reason });
  }

  failed(name: string, engine: string, error: SerializedError, dialect?: Dialect): void {
    this.#databases.push({ name, engine, ...(dialect === undefined ? {} : { dialect }), status: "failed", migrations: 0, errors: 0, warnings: 0, error });
  }

  build(): LintReport {
    const findings = [...this.#findings.values()].sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
    for (const finding of findings) finding.databases.sort();
    const databases = this.#databases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const count = (status: LintedDatabase["status"]): number => databases.filter((db) => db.status === status).length;
    const errors = findings.filter((f) => f.severity === "error").length;
    const summary = { databases: databases.length, linted: count("linted"), notLinted: count("not-linted"), failed: count("failed"), errors, warnings: findings.length - errors };
    return { ok: errors === 0 && summary.failed === 0, mode: this.mode, findings, databases, summary };
  }
}
