import { createHash } from "node:crypto";

/** sha256 hex of the exact text. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** sha256 hex after dropping a BOM and turning CRLF/CR into LF, so line endings are not drift. */
export function normalizedChecksum(text: string): string {
  return sha256(text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"));
}

/**
 * Whether a stored sha256 (of the raw file, as drizzle and Prisma store it) matches `text` as
 * it is, with CRLF→LF, or with LF→CRLF: Prisma's rule, so a line-ending change is not an edit.
 */
export function sha256MatchesIgnoringLineEndings(stored: string, text: string): boolean {
  return stored === sha256(text) || stored === sha256(text.replace(/\r\n/g, "\n")) || stored === sha256(text.replace(/\r?\n/g, "\r\n"));
}
