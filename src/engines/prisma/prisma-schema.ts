import type { Driver } from "../../drivers/driver.js";

/** Prisma's `?schema=` of a PostgreSQL URL: the schema Prisma Migrate works in. */
export function prismaSchema(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get("schema") || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Points the session at the URL's `?schema=` as Prisma's engine does: `search_path` is exactly
 * that schema (quoted, so its case is kept), which is where `_prisma_migrations` and the
 * migrations' unqualified tables go. With `create`, the schema is created first when missing, as
 * Prisma does when it connects; a plan passes false and changes nothing. Without `?schema=`
 * the server's default search_path stays, as with Prisma.
 */
export async function usePrismaSchema(driver: Driver, url: string, create: boolean): Promise<void> {
  const schema = prismaSchema(url);
  if (schema === undefined || !driver.schemas) return;
  if (create) await driver.exec(`CREATE SCHEMA IF NOT EXISTS ${driver.quote(schema)}`);
  await driver.exec(`SET search_path = ${driver.quote(schema)}`);
}
