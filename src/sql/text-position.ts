/**
 * Offsets in SQL text. JavaScript strings index UTF-16 code units; PostgreSQL's parser counts
 * UTF-8 bytes (statement locations) and the server counts characters (error positions). These
 * helpers turn each into a string index, and a string index into a 1-based line and column.
 */

/** Line and column of offsets in one text, computed once per text. */
export class TextPositions {
  readonly #text: string;
  readonly #lineStarts: number[] = [0];

  constructor(text: string) {
    this.#text = text;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.#lineStarts.push(i + 1);
  }

  /** 1-based line of the string index `offset`. */
  line(offset: number): number {
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.#lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  /** 1-based column of `offset`, in characters (a character outside the BMP counts once). */
  column(offset: number): number {
    const start = this.#lineStarts[this.line(offset) - 1]!;
    return codePointsBetween(this.#text, start, offset) + 1;
  }
}

/** How many characters (code points) lie between two string indexes. */
export function codePointsBetween(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < to) i++;
    count++;
  }
  return count;
}

/** The string index of the character at 0-based character position `position` (as servers count). */
export function indexOfCodePoint(text: string, position: number): number {
  let index = 0;
  for (let seen = 0; seen < position && index < text.length; seen++) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff ? 2 : 1;
  }
  return Math.min(index, text.length);
}

/**
 * Maps UTF-8 byte offsets of `text` to string indexes. Offsets must be asked in ascending
 * order (statement locations are), so one forward walk serves a whole file.
 */
export function utf8Cursor(text: string): (byteOffset: number) => number {
  // ASCII text: bytes and code units coincide, the common case for migrations.
  if (!/[^\x00-\x7f]/.test(text)) return (byteOffset) => Math.min(byteOffset, text.length);
  let index = 0;
  let bytes = 0;
  return (byteOffset) => {
    if (byteOffset < bytes) {
      index = 0;
      bytes = 0;
    }
    while (bytes < byteOffset && index < text.length) {
      const unit = text.charCodeAt(index);
      if (unit < 0x80) bytes += 1;
      else if (unit < 0x800) bytes += 2;
      else if (unit >= 0xd800 && unit <= 0xdbff) {
        bytes += 4;
        index++;
      } else bytes += 3;
      index++;
    }
    return index;
  };
}
