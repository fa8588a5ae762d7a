import { readdirSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

/**
 * Prisma's real schema engine (the same Rust logic as the CLI's binary, compiled to wasm)
 * driven through Prisma's official driver adapters: the referee for `_prisma_migrations`.
 */
export interface PrismaReferee {
  apply(): Promise<string[]>;
  diagnose(): Promise<{ history: unknown; failedMigrationNames: string[]; editedMigrationNames: string[]; hasMigrationsTable: boolean }>;
  /** Frees the engine and closes its connections (Prisma keeps SQLite exclusively locked and its pg lock while open). */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
let bg: Record<string, unknown> | undefined;

async function wasmModule(): Promise<Record<string, unknown>> {
  if (bg) return bg;
  const dir = join(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/schema_engine_bg\.js$/, ""));
  const module = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Record<string, unknown> & { __wbg_set_wasm(exports: unknown): void };
  const { instance } = await WebAssembly.instantiate(readFileSync(join(dir, "schema_engine_bg.wasm")), { "./schema_engine_bg.js": module as WebAssembly.ModuleImports });
  module.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = { set_message: (message: string) => { throw new Error(`prisma wasm panic: ${message}`); } };
  bg = module;
  return module;
}

/** `dbSchema`: the URL's `?schema=`, which Prisma's native engine turns into the session's search_path. */
export async function prismaReferee(provider: "postgresql" | "sqlite", url: string, migrationsDir: string, dbSchema?: string): Promise<PrismaReferee> {
  const module = await wasmModule();
  const inner = provider === "postgresql"
    ? new PrismaPg({ connectionString: url, ...(dbSchema ? { options: `-c search_path="${dbSchema}"` } : {}) }, dbSchema ? { schema: dbSchema } : undefined)
    : new PrismaBetterSqlite3({ url: `file:${url.slice("sqlite:".length)}` });
  const opened: { dispose(): Promise<void> }[] = [];
  // Keep every connection the engine opens, so close() can really close them.
  const factory = Object.assign(Object.create(Object.getPrototypeOf(inner)), inner, {
    connect: async () => {
      const adapter = await inner.connect();
      opened.push(adapter);
      return adapter;
    },
  }) as typeof inner;
  const schema = `datasource db {\n  provider = "${provider}"\n}\n`;
  const SchemaEngine = module.SchemaEngine as { new: (o: unknown, log: (m: string) => void, a: unknown) => Promise<Record<string, (i: unknown) => Promise<unknown>> & { free(): void }> };
  const engine = await SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => undefined, bindMigrationAwareSqlAdapterFactory(factory));
  const list = () => {
    const lockPath = join(migrationsDir, "migration_lock.toml");
    return {
      baseDir: migrationsDir,
      lockfile: { path: "migration_lock.toml", ...(existsSync(lockPath) ? { content: readFileSync(lockPath, "utf8") } : {}) },
      shadowDbInitScript: "",
      migrationDirectories: readdirSync(migrationsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort((a, b) => a.localeCompare(b)).map((name) => ({
        path: name,
        migrationFile: { path: "migration.sql", content: { tag: "ok", value: readFileSync(join(migrationsDir, name, "migration.sql"), "utf8") } },
      })),
    };
  };
  const filters = { externalTables: [], externalEnums: [] };
  return {
    apply: async () => ((await engine.applyMigrations!({ migrationsList: list(), filters })) as { appliedMigrationNames: string[] }).appliedMigrationNames,
    diagnose: async () => (await engine.diagnoseMigrationHistory!({ migrationsList: list(), optInToShadowDatabase: false, filters })) as Awaited<ReturnType<PrismaReferee["diagnose"]>>,
    close: async () => {
      engine.free();
      for (const adapter of opened.splice(0)) await adapter.dispose().catch(() => undefined);
    },
  };
}
