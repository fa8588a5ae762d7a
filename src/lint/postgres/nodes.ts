import type { Constraint, Node, RangeVar, TypeName } from "libpg-query";

/** The one key of a parse-tree node (`{ IndexStmt: {…} }` → `["IndexStmt", {…}]`). */
export function unwrap(node: Node | undefined): [string, Record<string, unknown>] | undefined {
  if (node === undefined) return undefined;
  for (const key in node) return [key, (node as unknown as Record<string, Record<string, unknown>>)[key]!];
  return undefined;
}

/** A table's name as the parser folded it; the schema is left out, as an unqualified reference would match it. */
export function relName(relation: RangeVar | undefined): string {
  return relation?.relname ?? "";
}

/** The `sval`s of a list of String nodes (qualified names, type names). */
export function names(list: readonly Node[] | undefined): string[] {
  return (list ?? []).map((item) => (item as { String?: { sval?: string } }).String?.sval ?? "");
}

/** The last part of a qualified name: `public.mood` → `mood`. */
export function lastName(list: readonly Node[] | undefined): string {
  return names(list).at(-1) ?? "";
}

/** Internal type names as people write them. */
const FRIENDLY: Readonly<Record<string, string>> = {
  int2: "smallint", int4: "integer", int8: "bigint", float4: "real", float8: "double precision",
  bool: "boolean", bpchar: "char", varchar: "varchar", timestamptz: "timestamptz", timetz: "timetz",
};

/** A type as text, `pg_catalog.` dropped and modifiers kept: `varchar(20)`, `numeric(10,2)`, `integer[]`. */
export function typeText(type: TypeName | undefined): string {
  if (type === undefined) return "";
  const parts = names(type.names).filter((part, i, all) => !(i === 0 && part === "pg_catalog" && all.length > 1));
  const base = parts.length === 1 ? FRIENDLY[parts[0]!] ?? parts[0]! : parts.join(".");
  const mods = (type.typmods ?? []).map((mod) => (mod as { A_Const?: { ival?: { ival?: number } } }).A_Const?.ival?.ival ?? 0);
  return `${base}${mods.length > 0 ? `(${mods.join(",")})` : ""}${(type.arrayBounds ?? []).map(() => "[]").join("")}`;
}

const SERIALS = new Set(["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"]);

export function isSerial(type: TypeName | undefined): boolean {
  const parts = names(type?.names);
  return parts.length === 1 && SERIALS.has(parts[0]!);
}

export function constraintsOf(list: readonly Node[] | undefined): Constraint[] {
  return (list ?? []).flatMap((item) => {
    const constraint = (item as { Constraint?: Constraint }).Constraint;
    return constraint === undefined ? [] : [constraint];
  });
}

/** `DEFAULT NULL` fills nothing; any other default does. */
export function isNullConstant(expr: Node | undefined): boolean {
  const constant = (expr as { A_Const?: { isnull?: boolean } } | undefined)?.A_Const;
  return constant?.isnull === true;
}

/** Every string constant in a subtree (`'happy'`, `'happy'::mood`), in no particular order. */
export function stringConstants(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) stringConstants(item, out);
  } else if (node !== null && typeof node === "object") {
    const constant = (node as { A_Const?: { sval?: { sval?: string } } }).A_Const;
    if (constant?.sval?.sval !== undefined) out.push(constant.sval.sval);
    else for (const key in node) stringConstants((node as Record<string, unknown>)[key], out);
  }
  return out;
}
