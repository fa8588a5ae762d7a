import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { createDatabase, type Dialect, type TestDatabase } from "./servers.js";
import { tempProject } from "./project.js";
import { planAll, resolveMigration, runAll, type RunAllOptions, type RunReport } from "./stagecraft.js";

export interface EngineProject {
  dir: string;
  db: TestDatabase;
  file: string;
  env: Record<string, string>;
  /** Writes (or overwrites) a file in the migrations folder. */
  migration: (name: string, text: string) => void;
  remove: (name: string) => void;
  plan: (options?: RunAllOptions) => Promise<RunReport>;
  run: (options?: RunAllOptions) => Promise<RunReport>;
  resolve: (migration: string, action: "applied" | "rolled-back") => Promise<RunReport>;
  cleanup: () => Promise<void>;
}

/** A project with one database `main` of `dialect` using `engine`, its folder `migrations/`. */
export async function engineProject(dialect: Dialect, engine: string, migrations: Record<string, string> = {}, settings: Record<string, unknown> = {}): Promise<EngineProject> {
  const project = tempProject();
  const db = await createDatabase(dialect, project.dir);
  for (const [name, text] of Object.entries(migrations)) project.write(`migrations/${name}`, text);
  project.write("migrations/.keep", "");
  const file = project.write("stagecraft.yml", stringify({
    databases: { main: { connection_env: "MAIN_URL", migrations: { engine, path: "./migrations", lock_timeout_ms: 5_000, ...settings } } },
  }));
  const env = { MAIN_URL: db.url };
  return {
    dir: project.dir,
    db,
    file,
    env,
    migration: (name, text) => writeFileSync(join(project.dir, "migrations", name), text),
    remove: (name) => rmSync(join(project.dir, "migrations", name), { recursive: true, force: true }),
    plan: (options = {}) => planAll(file, { env, ...options }),
    run: (options = {}) => runAll(file, { env, ...options }),
    resolve: (migration, action) => resolveMigration(file, { env, database: "main", migration, action }),
    cleanup: async () => {
      await db.drop();
      project.cleanup();
    },
  };
}

/** The one database of a report. */
export function only(report: RunReport) {
  const [db] = report.databases;
  if (db === undefined || report.databases.length !== 1) throw new Error(`expected one database, got ${report.databases.length}`);
  return db;
}
