import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Position of `path` in the YAML document: the value for scalars, the key for collections
 * (a person looks for `main:`), or the nearest existing ancestor when the path is missing.
 */
export function locate(doc: Document, lines: LineCounter, path: readonly (string | number)[]): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let best: [number, number] | undefined = rangeOf(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const keyRange = rangeOf(pair.key);
      node = pair.value;
      const valueRange = isScalar(node) ? rangeOf(node) : undefined;
      best = valueRange ?? keyRange ?? best;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      best = rangeOf(node) ?? best;
    } else {
      break;
    }
  }
  if (!best) return undefined;
  const pos = lines.linePos(best[0]);
  return { line: pos.line, column: pos.col };
}

function rangeOf(node: unknown): [number, number] | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}
