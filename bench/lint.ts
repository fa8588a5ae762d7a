import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultRegistry } from "../src/index.js";
import { FolderLint } from "../src/lint/folder-lint.js";
import { splitStatements } from "../src/sql/split-statements.js";
import { fmt, paired, scratchDir, type Bench } from "./harness.js";

const MIGRATIONS = Number(process.env.BENCH_LINT_MIGRATIONS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** "Well under a second" for the default 200 migrations. */
const TARGET_MS = 500;

/** A migration of a long-lived PostgreSQL schema: tables, indexes, columns, data, a function, an enum value. */
function migration(i: number): string {
  const t = `t${i}`;
  const prev = `t${Math.max(0, i - 1)}`;
  return [
    `CREATE TABLE ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name varchar(100) NOT NULL, note text, created_at timestamptz NOT NULL DEFAULT now(), ${i > 0 ? `parent_id bigint REFERENCES ${prev} (id)` : "parent_id bigint"});`,
    `CREATE INDEX ${t}_name ON ${t} (name);`,
    `CREATE INDEX ${prev}_note_${i} ON ${prev} (note);`,
    `ALTER TABLE ${prev} ADD COLUMN extra_${i} integer DEFAULT 0, ALTER COLUMN note TYPE text;`,
    `INSERT INTO ${t} (name, note) VALUES ('first; not a statement', $$it's "quoted"$$), ('second', E'line\\nbreak');`,
    `CREATE OR REPLACE FUNCTION ${t}_touch() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN NEW.created_at := now(); RETURN NEW; END $fn$;`,
    `CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${t}_touch();`,
    `UPDATE ${prev} SET note = 'migrated by ${i}' WHERE note IS NULL;`,
    `COMMENT ON TABLE ${t} IS 'table number ${i}';`,
    i % 10 === 0 ? `ALTER TYPE state ADD VALUE IF NOT EXISTS 's${i}';` : `CREATE VIEW ${t}_v AS SELECT id, name FROM ${t} WHERE note IS NOT NULL;`,
  ].join("\n");
}

/** Writes the folder afresh, each file marked with the round: parse caches must not carry over. */
function writeFolder(dir: string, round: number): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: MIGRATIONS }, (_, i) => {
    const file = join(dir, `${String(i + 1).padStart(4, "0")}_m${i}.sql`);
    writeFileSync(file, `-- round ${round}\n${migration(i)}\n`);
    return file;
  });
}

export const lint: Bench = {
  name: "lint",
  question: `How long does linting a ${MIGRATIONS}-migration PostgreSQL folder take (read, parse with libpg-query, analyse, every rule), next to parsing alone?`,
  async run() {
    const scratch = scratchDir("lint");
    const dir = join(scratch.dir, "migrations");
    const raw = defaultRegistry.get("raw");
    let files: string[] = [];
    let round = 0;
    const setup = (): void => {
      files = writeFolder(dir, round++);
    };
    try {
      // Load the parser and the engine once: the figure is the lint, not the wasm start-up.
      setup();
      await splitStatements("SELECT 1", "postgres");
      const times = await paired(ROUNDS, {
        parse: async () => {
          for (const file of files) await splitStatements(readFileSync(file, "utf8"), "postgres");
        },
        lint: async () => {
          const sources = await raw.sources!({ config: raw.configSchema!.parse({}) as Record<string, unknown>, migrationPath: dir, dialect: "postgres" });
          const folder = await FolderLint.create(sources);
          if (folder.findings().length === 0) throw new Error("the bench folder should have findings");
        },
      }, setup);
      return [
        { bench: this.name, metric: `lint ${MIGRATIONS} PostgreSQL migrations`, value: times.lint, unit: "ms", target: `< ${TARGET_MS} ms`, pass: times.lint < TARGET_MS, detail: `${fmt(times.lint / MIGRATIONS, 2)} ms per migration` },
        { bench: this.name, metric: "lint vs parsing alone", value: times.lint / times.parse, unit: "×", target: "—", detail: `parsing alone ${fmt(times.parse)} ms` },
      ];
    } finally {
      scratch.cleanup();
    }
  },
};
