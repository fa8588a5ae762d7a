export function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

/** Byte-order comparison, the same on every machine and locale (unlike localeCompare). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
