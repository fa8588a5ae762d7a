import type { Dialect } from "../../drivers/driver.js";
import { StagecraftError } from "../../errors.js";
import type { SourceOptions } from "../../registry/sql-sources.js";

/** Names tools write for a dialect (Prisma's provider, drizzle-kit's `dialect`), as stagecraft's dialects. */
const TOOL_DIALECTS: Readonly<Record<string, Dialect>> = {
  postgresql: "postgres",
  postgres: "postgres",
  mysql: "mysql",
  singlestore: "mysql",
  sqlite: "sqlite",
  turso: "sqlite",
};

/** The stagecraft dialect a tool's name stands for, or undefined for one stagecraft does not run. */
export function toolDialect(name: string | undefined): Dialect | undefined {
  return name === undefined ? undefined : TOOL_DIALECTS[name.trim().toLowerCase()];
}

/**
 * The dialect to read sources for: the one asked (the database's URL says it), else the one
 * the folder names. A folder that names none cannot be read offline without being told.
 */
export function sourceDialect(opts: SourceOptions, fromFolder: Dialect | undefined, engine: string): Dialect {
  const dialect = opts.dialect ?? fromFolder;
  if (dialect !== undefined) return dialect;
  throw new StagecraftError("invalid_config", `cannot tell which SQL dialect the ${engine} migrations in ${opts.migrationPath} are written for: the database's URL is not known and the folder does not say`, {
    file: opts.migrationPath,
    hint: "set the database's URL variable (its scheme is read, nothing connects), or pass the dialect (stagecraft lint --dialect postgres|mysql|sqlite)",
  });
}
