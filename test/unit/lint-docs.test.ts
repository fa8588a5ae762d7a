import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RULE_IDS } from "../../dist/src/lint/rule-ids.js";
import { DEFAULT_SEVERITY, OTHER_RULES, STATEMENT_RULES } from "../../dist/src/lint/rules/index.js";
import { rules, type LintDialectName } from "../helpers/lint-kit.js";

const PAGE = readFileSync(fileURLToPath(new URL("../../docs/lint.md", import.meta.url)), "utf8");
const NAMES: Record<string, LintDialectName> = { PostgreSQL: "postgres", MySQL: "mysql", SQLite: "sqlite" };

interface Example {
  rule: string;
  dialects: LintDialectName[];
  verdict: "fails" | "passes";
  sql: string;
  line: number;
}

/** The ```sql <dialects…> fails|passes blocks of each `### \`rule\`` section. */
function examples(): Example[] {
  const out: Example[] = [];
  for (const section of PAGE.split(/^### /m).slice(1)) {
    const rule = /^`([a-z-]+)`/.exec(section)?.[1];
    if (rule === undefined) continue;
    for (const match of section.matchAll(/```sql ([a-z ]+) (fails|passes)\n([\s\S]*?)```/g)) {
      const line = PAGE.slice(0, PAGE.indexOf(match[0])).split("\n").length;
      out.push({ rule, dialects: match[1]!.trim().split(" ") as LintDialectName[], verdict: match[2] as Example["verdict"], sql: match[3]!, line });
    }
  }
  return out;
}

const all = examples();

describe("docs/lint.md", () => {
  it.each(all.flatMap((e) => e.dialects.map((d) => [`${e.rule} ${e.verdict} on ${d} (line ${e.line})`, e, d] as const)))("%s", async (_title, example, dialect) => {
    const found = await rules(dialect, example.sql);
    if (example.verdict === "fails") expect(found).toContain(example.rule);
    else expect(found).not.toContain(example.rule);
  });

  it("has a flagged and a passing example for every rule on every dialect its table row names", () => {
    const table = new Map([...PAGE.matchAll(/^\| \[`([a-z-]+)`\]\(#[a-z-]+\) \| (error|warning) \| ([^|]+) \|/gm)].map((m) => [m[1]!, { severity: m[2]!, dialects: m[3]!.trim() }]));
    expect([...table.keys()].sort()).toEqual([...RULE_IDS].sort());
    for (const rule of [...STATEMENT_RULES, ...OTHER_RULES]) {
      const row = table.get(rule.id)!;
      expect(row.severity, rule.id).toBe(DEFAULT_SEVERITY[rule.id]);
      const dialects = row.dialects === "all" ? ["postgres", "mysql", "sqlite"] : row.dialects.split(", ").map((name) => NAMES[name]!);
      expect([...dialects].sort(), rule.id).toEqual([...rule.dialects].sort());
      for (const dialect of dialects) {
        for (const verdict of ["fails", "passes"] as const) {
          expect(all.some((e) => e.rule === rule.id && e.verdict === verdict && e.dialects.includes(dialect as LintDialectName)), `${rule.id} ${verdict} on ${dialect}`).toBe(true);
        }
      }
    }
  });
});
