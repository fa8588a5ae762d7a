import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from "yaml";

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
      const pair = pairsOf(node).get(String(segment));
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

/**
 * The map's pairs by key, built once per map: a config with thousands of databases and
 * thousands of problems must not search the whole map once per problem.
 */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
function pairsOf(map: YAMLMap): Map<string, Pair> {
  let index = pairIndex.get(map);
  if (index === undefined) {
    index = new Map();
    for (const item of map.items) if (isPair(item) && isScalar(item.key) && !index.has(String(item.key.value))) index.set(String(item.key.value), item);
    pairIndex.set(map, index);
  }
  return index;
}

function rangeOf(node: unknown): [number, number] | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}
