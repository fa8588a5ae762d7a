import { StagecraftError } from "../../errors.js";

/** A timestamp-numbered folder (`20240101093000_init`): 14 digits, as knex, Prisma and Rails write them. */
const TIMESTAMP_DIGITS = 14;

/**
 * The number of the next migration of a folder whose migrations start with `numbers` (their
 * digits as written): a UTC timestamp in a timestamp-numbered folder, else the highest number
 * plus one, zero-padded to the folder's width (`003` → `004`). An empty folder starts at
 * `first`. Never returns a number at or below one already used.
 */
export function nextNumber(numbers: readonly string[], now: Date, first: string): string {
  if (numbers.length === 0) return first === "timestamp" ? timestamp(now) : first;
  const highest = numbers.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a));
  if (highest.length === TIMESTAMP_DIGITS && highest.startsWith("2")) {
    const stamp = timestamp(now);
    return BigInt(stamp) > BigInt(highest) ? stamp : (BigInt(highest) + 1n).toString();
  }
  const width = Math.max(...numbers.map((n) => n.length));
  return (BigInt(highest) + 1n).toString().padStart(width, "0");
}

/** `YYYYMMDDHHMMSS` in UTC. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, "").slice(0, TIMESTAMP_DIGITS);
}

/** `Add email index` → `add_email_index`: lower case, words joined by `_`; refuses a name with nothing usable. */
export function migrationSlug(name: string): string {
  const slug = name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  if (slug === "") throw new StagecraftError("invalid_config", `migration name ${JSON.stringify(name)} has no letters or digits`, { hint: "name the migration after what it does, e.g. add_email_index" });
  return slug;
}
