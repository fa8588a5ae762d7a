import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { drizzleConfigSchema } from "../../dist/src/engines/drizzle/config.js";
import { readDrizzleConfig } from "../../dist/src/engines/drizzle/settings.js";
import { knexConfigSchema } from "../../dist/src/engines/knex/config.js";
import { readKnexConfig } from "../../dist/src/engines/knex/settings.js";
import { prismaConfigSchema } from "../../dist/src/engines/prisma/config.js";
import { readPrismaConfig } from "../../dist/src/engines/prisma/settings.js";
import { rawConfigSchema } from "../../dist/src/engines/raw/config.js";
import { readRawConfig } from "../../dist/src/engines/raw/settings.js";

// Each built-in engine has two readers of its settings: the zod schema the main thread validates
// the config with (messages, JSON Schema), and the zod-free reader the engine runs with in worker
// threads. They must agree on every input: the same output, and a refusal of the same inputs.

type Reader = (config: Record<string, unknown>) => unknown;
const ENGINES: { id: string; schema: ZodType; read: Reader; valid: Record<string, unknown>[]; invalid: Record<string, unknown>[] }[] = [
  {
    id: "raw", schema: rawConfigSchema, read: readRawConfig,
    valid: [{}, { table: "my_migrations", schema: "ops", transaction_mode: "all", allow_out_of_order: false, allow_changed: true, allow_missing: true }, { table: undefined }],
    invalid: [{ table: "my-migrations" }, { table: "" }, { table: "x".repeat(64) }, { schema: 1 }, { transaction_mode: "each" }, { allow_changed: "yes" }, { tabel: "x" }],
  },
  {
    id: "knex", schema: knexConfigSchema, read: readKnexConfig,
    valid: [{}, { directories: ["a", "b"], tableName: "t", schemaName: "s", loadExtensions: [".cjs", ".js"], disableTransactions: true, sortDirsSeparately: true }, { loadExtensions: [] }],
    invalid: [{ directories: "a" }, { directories: [""] }, { tableName: "" }, { loadExtensions: ["cjs"] }, { loadExtensions: [1] }, { disableTransactions: 0 }, { table: "x" }],
  },
  {
    id: "prisma", schema: prismaConfigSchema, read: readPrismaConfig,
    valid: [{}, { baseline: "20240101000000_init", allow_changed: true }],
    invalid: [{ baseline: "" }, { baseline: 3 }, { allow_changed: null }, { baselines: "x" }],
  },
  {
    id: "drizzle", schema: drizzleConfigSchema, read: readDrizzleConfig,
    valid: [{}, { format: "journal", migrationsTable: "mig", migrationsSchema: "ops", allow_out_of_order: false, transaction_mode: "all", allow_changed: true }, { format: "folders" }],
    invalid: [{ format: "json" }, { migrationsTable: "a b" }, { migrationsSchema: "" }, { transaction_mode: true }, { allow_out_of_order: "no" }, { out: "./drizzle" }],
  },
];

describe.each(ENGINES)("the $id engine's settings", ({ id, schema, read, valid, invalid }) => {
  it("read without zod equal the zod schema's output, defaults included, for valid settings", () => {
    for (const input of valid) expect(read(input)).toStrictEqual(schema.parse(input));
  });

  it("are refused by both readers alike, the engine's error naming the engine and the key", () => {
    for (const input of invalid) {
      expect(schema.safeParse(input).success, JSON.stringify(input)).toBe(false);
      expect(() => read(input), JSON.stringify(input)).toThrow(new RegExp(`^${id} engine: migrations\\.${Object.keys(input)[0]} `));
    }
  });

  it("name the same keys", () => {
    const shape = (schema as unknown as { shape: Record<string, unknown> }).shape;
    expect(Object.keys(read({}) as object).every((key) => key in shape)).toBe(true);
    const full = valid.reduce((a, b) => (Object.keys(b).length > Object.keys(a).length ? b : a));
    expect(Object.keys(full).sort()).toEqual(Object.keys(shape).sort());
  });
});

it("the worker threads' bundle never loads zod: no file of it imports zod or holds zod's code", () => {
  // Every file of the threads' bundle: the entry, each engine's module, and the chunks they load on demand.
  const dir = new URL("../../dist/worker/", import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
  expect(files.length).toBeGreaterThan(3);
  // zod's own code reads `._zod` everywhere; a bundle that copied zod in would hold it.
  expect(files.filter((f) => readFileSync(new URL(f, dir), "utf8").includes("._zod"))).toEqual([]);
  const urls = files.map((f) => new URL(f, dir).href);
  const script = `for (const url of ${JSON.stringify(urls)}) await import(url);`;
  // A resolve hook reports every import of zod, by which module.
  const hook = `data:text/javascript,${encodeURIComponent(`export async function resolve(s, c, next) { if (s === "zod" || s.startsWith("zod/")) process.stderr.write("zod imported by " + c.parentURL + "\\n"); return next(s, c); }`)}`;
  const register = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(hook)});`)}`;
  const result = spawnSync(process.execPath, ["--import", register, "--input-type=module", "-e", script], { cwd: fileURLToPath(new URL("../..", import.meta.url)), encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toBe("");
});
