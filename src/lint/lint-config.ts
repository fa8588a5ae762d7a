import { z } from "zod";
import { RULE_IDS, SEVERITY_SETTINGS } from "./rule-ids.js";

/**
 * The `lint:` section of stagecraft.yml: a severity per rule (`error`, `warning` or `off`).
 * Rules not named keep their own severity (docs/lint.md lists them).
 */
export const lintConfigSchema = z.strictObject({
  rules: z.partialRecord(z.enum(RULE_IDS, { error: `must be a lint rule ID: ${RULE_IDS.join(", ")}` }), z.enum(SEVERITY_SETTINGS, { error: `must be one of ${SEVERITY_SETTINGS.join(", ")}` }))
    .default({})
    .describe("Severity per lint rule: error, warning or off. See docs/lint.md for the rules."),
}).describe("stagecraft lint settings (docs/lint.md).");

export type LintSettings = z.output<typeof lintConfigSchema>;
