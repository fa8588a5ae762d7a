import type { Node } from "libpg-query";
import { StagecraftError } from "../errors.js";
import { SqlSyntaxError, type TextRange } from "./statement.js";
import { indexOfCodePoint, TextPositions, utf8Cursor } from "./text-position.js";

type Parser = typeof import("libpg-query");

let parser: Promise<Parser> | undefined;

/**
 * PostgreSQL's own parser (libpg-query: the server's grammar compiled to wasm), loaded on first
 * use so that threads and processes that never touch PostgreSQL never pay for the wasm.
 */
function loadParser(): Promise<Parser> {
  parser ??= import("libpg-query").then(
    async (module) => {
      await module.loadModule();
      return module;
    },
    (error: unknown) => {
      parser = undefined;
      throw new StagecraftError("dependency_missing", `cannot load PostgreSQL's parser (libpg-query): ${(error as Error).message}`, {
        hint: "reinstall stagecraft's dependencies (npm install)",
      });
    },
  );
  return parser;
}

export interface ParsedRange extends TextRange {
  node: Node;
}

/**
 * Statement boundaries exactly as the server finds them: E'' strings, dollar quotes with any
 * tag, `BEGIN ATOMIC … END` bodies and everything else PostgreSQL 18's grammar knows. The
 * parser reports UTF-8 byte offsets; they come back as string indexes. A syntax error throws
 * {@link SqlSyntaxError} at the offending token, before anything runs.
 */
export async function splitPostgres(text: string): Promise<ParsedRange[]> {
  const { parseSync } = await loadParser();
  if (text.trim() === "") return [];
  let tree: ReturnType<Parser["parseSync"]>;
  try {
    tree = parseSync(text);
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    if (details === undefined) throw error;
    // The cursor counts characters, as the server does, from 0.
    const offset = indexOfCodePoint(text, details.cursorPosition ?? 0);
    const positions = new TextPositions(text);
    throw new SqlSyntaxError((error as Error).message, offset, positions.line(offset), positions.column(offset));
  }
  const toIndex = utf8Cursor(text);
  return (tree.stmts ?? []).map((raw) => {
    const location = raw.stmt_location ?? 0;
    const start = toIndex(location);
    let end = raw.stmt_len ? toIndex(location + raw.stmt_len) : text.length;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    return { start, end, node: raw.stmt! };
  });
}
