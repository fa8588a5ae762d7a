import { isMap, isScalar, visit, type Document, type LineCounter } from "yaml";

export interface DuplicateKey {
  key: string;
  line: number;
  column: number;
}

/**
 * Keys repeated within one YAML map, each at its second (and later) occurrence. The parser's
 * own check (`uniqueKeys`) compares every pair of keys, which takes minutes on a config with
 * tens of thousands of databases; one set per map does the same in linear time.
 */
export function duplicateKeys(doc: Document, lines: LineCounter): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const pos = lines.linePos(pair.key.range?.[0] ?? 0);
        found.push({ key, line: pos.line, column: pos.col });
      }
    },
  });
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}
