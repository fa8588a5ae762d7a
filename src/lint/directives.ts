import type { TextRange } from "../sql/statement.js";
import { isRuleId, RULE_IDS, type RuleId } from "./rule-ids.js";

/** `-- stagecraft:lint-ignore RULE_ID[,RULE_ID…] reason` */
export const LINT_IGNORE = "stagecraft:lint-ignore";
const DIRECTIVE = /--[ \t]*stagecraft:lint-ignore\b[ \t]*([^\n\r]*)/g;

/** Which rules the file's comments turn off, and where. */
export interface Directives {
  /** Rules off in the whole file (a directive in the file's header, set apart from the first statement by a blank line). */
  file: ReadonlySet<RuleId>;
  /** Rules off for one statement, by its index. */
  statements: ReadonlyMap<number, ReadonlySet<RuleId>>;
  /** Directives that cannot count: no reason, an unknown rule ID, no statement after them. */
  problems: { offset: number; message: string }[];
}

/**
 * Reads the suppression comments between `statements` (string ranges in `script`, in order).
 * A directive applies to the statement it ends the line of, else to the next statement; in the
 * file's header, one separated from the first statement by a blank line applies to the whole
 * file. Comments are looked for only between statements, where nothing but comments stands.
 */
export function readDirectives(script: string, statements: readonly TextRange[]): Directives {
  const file = new Set<RuleId>();
  const byStatement = new Map<number, Set<RuleId>>();
  const problems: { offset: number; message: string }[] = [];
  for (let gap = 0; gap <= statements.length; gap++) {
    const from = gap === 0 ? 0 : statements[gap - 1]!.end;
    const to = gap < statements.length ? statements[gap]!.start : script.length;
    const text = script.slice(from, to);
    if (!text.includes(LINT_IGNORE)) continue;
    for (const match of text.matchAll(DIRECTIVE)) {
      const offset = from + match.index;
      const parsed = parse(match[1] ?? "");
      if (typeof parsed === "string") {
        problems.push({ offset, message: parsed });
        continue;
      }
      const sameLine = gap > 0 && !script.slice(from, offset).includes("\n");
      const target = sameLine ? gap - 1 : gap;
      if (target === statements.length) {
        if (statements.length === 0) for (const rule of parsed) file.add(rule);
        else problems.push({ offset, message: "this lint-ignore comment stands after the last statement, so it applies to none; put it above the statement (or in the file's header, followed by a blank line, for the whole file)" });
        continue;
      }
      const header = gap === 0 && /\n[ \t\r]*\n/.test(script.slice(offset, to));
      const into = header ? file : byStatement.get(target) ?? byStatement.set(target, new Set()).get(target)!;
      for (const rule of parsed) into.add(rule);
    }
  }
  return { file, statements: byStatement, problems };
}

/** The rule IDs of a directive's text, or why it cannot count. */
function parse(body: string): RuleId[] | string {
  const [ids = "", ...reason] = body.trim().split(/\s+/);
  if (ids === "") return `a lint-ignore comment needs a rule ID and a reason: -- ${LINT_IGNORE} RULE_ID why it is safe here`;
  const rules = ids.split(",").filter((id) => id !== "");
  const unknown = rules.filter((id) => !isRuleId(id));
  if (unknown.length > 0) return `lint-ignore names no rule ${unknown.map((id) => `"${id}"`).join(", ")}; rules: ${RULE_IDS.join(", ")}`;
  if (reason.join(" ").trim() === "") return `lint-ignore ${ids} needs a reason after the rule ID (why it is safe here), so the next reader knows`;
  return rules as RuleId[];
}
