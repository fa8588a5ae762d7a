/** A PostgreSQL type as text (`varchar(20)`, `numeric(10,2)[]`): its base, modifiers and array suffix. */
interface ParsedType {
  base: string;
  mods: number[];
  array: string;
}

function parse(type: string): ParsedType {
  const match = /^(.*?)(?:\(([\d,\s]*)\))?((?:\[\])*)$/.exec(type.trim());
  return { base: match?.[1] ?? type, mods: match?.[2] ? match[2].split(",").map((m) => Number(m.trim())) : [], array: match?.[3] ?? "" };
}

/**
 * Whether `ALTER COLUMN … TYPE to` from `from` keeps the table as it is: PostgreSQL skips the
 * rewrite when the old type is binary-coercible to the new one and no check is needed, e.g.
 * varchar(n) → varchar(m ≥ n), varchar or text; text → varchar; numeric(p,s) → numeric(q ≥ p, s) or numeric.
 */
export function typeChangeKeepsTable(from: string, to: string): boolean {
  if (from === to) return true;
  const a = parse(from);
  const b = parse(to);
  if (a.array !== b.array) return false;
  if (a.base === "varchar" && (b.base === "text" || (b.base === "varchar" && (b.mods.length === 0 || (a.mods.length === 1 && b.mods[0]! >= a.mods[0]!))))) return true;
  if (a.base === "text" && b.base === "varchar" && b.mods.length === 0) return true;
  if (a.base === "numeric" && b.base === "numeric") {
    if (b.mods.length === 0) return true;
    const [p = 0, s = 0] = a.mods;
    const [q = 0, t = 0] = b.mods;
    return a.mods.length > 0 && q >= p && t === s;
  }
  return false;
}
