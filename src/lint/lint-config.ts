import { z } from "zod";
import { isRuleId, RULE_IDS, SEVERITY_SETTINGS, type RuleId, type SeveritySetting } from "./rule-ids.js";

const severity = z.enum(SEVERITY_SETTINGS, { error: `must be one of ${SEVERITY_SETTINGS.join(", ")}` });

/** Rule ID → severity; an unknown ID is reported with the list of rules (a typo must not silently keep a rule on). */
const unknownRule = (id: unknown): string => `unknown lint rule "${String(id)}"; rules: ${RULE_IDS.join(", ")}`;
const ruleId = z.string().refine(isRuleId, { error: (issue) => unknownRule(issue.input) });

/** Rule ID → severity; an unknown ID is reported with the list of rules (a typo must not silently keep a rule on). */
const rulesSchema = z.record(ruleId, severity, { error: (issue) => (issue.code === "invalid_key" ? unknownRule(issue.input) : undefined) })
  .meta({ propertyNames: { enum: [...RULE_IDS] } }) as unknown as z.ZodType<Partial<Record<RuleId, SeveritySetting>>, Record<string, SeveritySetting>>;

/**
 * The `lint:` section of stagecraft.yml: a severity per rule (`error`, `warning` or `off`).
 * Rules not named keep their own severity (docs/lint.md lists them).
 */
export const lintConfigSchema = z.strictObject({
  rules: rulesSchema.default({}).describe("Severity per lint rule: error, warning or off. See docs/lint.md for the rules."),
}).describe("stagecraft lint settings (docs/lint.md).");

export type LintSettings = z.output<typeof lintConfigSchema>;
