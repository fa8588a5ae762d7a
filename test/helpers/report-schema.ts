import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";

const SCHEMA = new URL("../../dist/report.schema.json", import.meta.url);

/** The shipped `report.schema.json` (from the build), compiled once. */
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(JSON.parse(readFileSync(SCHEMA, "utf8")));

/** Throws, listing every violation, unless `report` matches `stagecraft/report.schema.json`. */
export function assertReportSchema(report: unknown): void {
  if (validate(report)) return;
  throw new Error(`report does not match report.schema.json:\n${(validate.errors ?? []).map((e) => `  ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`).join("\n")}`);
}

/**
 * Checks the `--json` stdout of a CLI run that printed a run report (`migrate`, `status`)
 * against the schema; other commands' JSON (validate, lint, engines) has its own shape.
 */
export function checkCliReport(args: readonly string[], stdout: string): void {
  if (!args.includes("--json") || !(args[0] === "migrate" || args[0] === "status") || args[1] === "resolve") return;
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    return; // No report printed (an invalid config): the test asserts that itself.
  }
  if (typeof report === "object" && report !== null && "mode" in report) assertReportSchema(report);
}
