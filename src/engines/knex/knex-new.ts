import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { StagecraftError } from "../../errors.js";
import type { NewMigrationOptions, NewMigrationResult } from "../../registry/engine-offline.js";
import { migrationSlug, nextNumber } from "../shared/next-number.js";
import { readKnexConfig } from "./settings.js";

type ModuleStyle = "commonjs" | "esm" | "typescript";

const MODULE_EXTENSIONS = [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"];

/**
 * `stagecraft new` for knex: `<timestamp>_<name><ext>` (knex's own naming, or the folder's
 * number width) as a module in the folder's style: the extension of its newest migration (else
 * the first of `loadExtensions`, else `.js`), CommonJS or ESM as that file (or the nearest
 * package.json `type`) says. A knex module always has `up` and `down`.
 */
export async function newMigration(opts: NewMigrationOptions): Promise<NewMigrationResult> {
  const config = readKnexConfig(opts.config);
  const slug = migrationSlug(opts.name);
  mkdirSync(opts.migrationPath, { recursive: true });
  const modules = readdirSync(opts.migrationPath).filter((name) => MODULE_EXTENSIONS.includes(extname(name))).sort();
  const newest = modules.at(-1);
  const ext = newest !== undefined ? extname(newest) : config.loadExtensions?.find((e) => MODULE_EXTENSIONS.includes(e)) ?? ".js";
  const numbers = modules.map((name) => /^(\d+)/.exec(name)?.[1]).filter((n) => n !== undefined);
  const id = `${nextNumber(numbers, opts.now, "timestamp")}_${slug}${ext}`;
  const path = join(opts.migrationPath, id);
  if (existsSync(path)) throw new StagecraftError("invalid_config", `${path} already exists`, { file: path, hint: "pick another name" });
  writeFileSync(path, template(style(ext, newest === undefined ? undefined : join(opts.migrationPath, newest), opts.migrationPath)), { flag: "wx" });
  return { id, files: [path] };
}

function style(ext: string, newest: string | undefined, dir: string): ModuleStyle {
  if ([".ts", ".mts", ".cts"].includes(ext)) return "typescript";
  if (ext === ".cjs") return "commonjs";
  if (ext === ".mjs") return "esm";
  if (newest !== undefined) return /^\s*export\s/m.test(readFileSync(newest, "utf8")) ? "esm" : "commonjs";
  return packageType(dir) === "module" ? "esm" : "commonjs";
}

/** The `type` of the nearest package.json above `dir` (how Node loads a `.js` file there). */
function packageType(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, "package.json");
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { type?: string }).type;
    if (dirname(at) === at) return undefined;
  }
}

function template(style: ModuleStyle): string {
  const body = {
    up: '  // await knex.schema.createTable("example", (t) => { t.increments("id"); });',
    down: '  // await knex.schema.dropTable("example");',
  };
  if (style === "commonjs") {
    return `/** @param {import("knex").Knex} knex */\nexports.up = async (knex) => {\n${body.up}\n};\n\n/** @param {import("knex").Knex} knex */\nexports.down = async (knex) => {\n${body.down}\n};\n`;
  }
  if (style === "typescript") {
    return `import type { Knex } from "knex";\n\nexport async function up(knex: Knex): Promise<void> {\n${body.up}\n}\n\nexport async function down(knex: Knex): Promise<void> {\n${body.down}\n}\n`;
  }
  return `/** @param {import("knex").Knex} knex */\nexport async function up(knex) {\n${body.up}\n}\n\n/** @param {import("knex").Knex} knex */\nexport async function down(knex) {\n${body.down}\n}\n`;
}
