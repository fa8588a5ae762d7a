import { createHash } from "node:crypto";

/** sha256 hex of the exact text. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** sha256 hex after dropping a BOM and turning CRLF/CR into LF, so line endings are not drift. */
export function normalizedChecksum(text: string): string {
  return sha256(text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"));
}
