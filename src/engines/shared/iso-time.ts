/**
 * A timestamp as read from a bookkeeping table, as ISO 8601 in UTC (`2026-12-01T13:20:25.756Z`).
 *
 * Tables hold them in every shape: `Date` objects (pg), ISO text (ours), epoch milliseconds
 * (knex on SQLite), text with an offset (Prisma on SQLite) and zone-less `YYYY-MM-DD HH:MM:SS.fff`
 * (MySQL DATETIME read as text). The zone-less form is UTC: every tool that writes these tables
 * (Prisma, drizzle, stagecraft) writes UTC into them. Numbers are epoch milliseconds.
 * Undefined when the value is not a time.
 */
export function toIsoUtc(value: unknown): string | undefined {
  if (value == null || value === "") return undefined;
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === "number" || typeof value === "bigint" || /^\d+(?:\.\d+)?$/.test(String(value))) date = new Date(Number(value));
  else {
    const text = String(value).trim();
    const zoneless = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(text);
    date = new Date(zoneless ? `${zoneless[1]}T${zoneless[2]}Z` : text);
  }
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
