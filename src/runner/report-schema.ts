import { ERROR_KINDS } from "../errors.js";
import { REPORT_VERSION } from "./report.js";

/** ISO 8601 in UTC as `Date.prototype.toISOString` writes it: what every engine's times become. */
const ISO_UTC = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z$";

const count = { type: "integer", minimum: 0 } as const;
const text = { type: "string" } as const;
const direction = { enum: ["up", "down"], description: "What the run did: apply (up) or revert (down) migrations." } as const;

/**
 * The JSON Schema (draft 2020-12) of the run report: what `--json` prints for `migrate` and
 * `status` and what `planAll`/`runAll` return. Shipped as `stagecraft/report.schema.json`
 * and checked against every report the CLI tests produce, so the two cannot drift apart.
 * Objects are closed (`additionalProperties: false`): a new field is added here first.
 */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/stagecraft/stagecraft/report.schema.json",
    title: "stagecraft run report",
    type: "object",
    additionalProperties: false,
    required: ["version", "stagecraftVersion", "ok", "mode", "databases", "summary"],
    properties: {
      version: { const: REPORT_VERSION, description: "Report schema version: changes when a field changes meaning or goes away." },
      stagecraftVersion: { ...text, description: "The stagecraft release that wrote the report." },
      ok: { type: "boolean", description: "No database failed and none was cancelled." },
      mode: { enum: ["plan", "run", "baseline"], description: "baseline: `migrate baseline` marked migrations applied without running them (its preview is a plan)." },
      direction,
      resolution: {
        type: "object",
        additionalProperties: false,
        required: ["migration", "action"],
        description: "`migrate resolve` only: what it recorded.",
        properties: { migration: text, action: { enum: ["applied", "rolled-back"] } },
      },
      ledger: {
        type: "object",
        additionalProperties: false,
        required: ["runId", "label"],
        description: "CLI runs recorded in the ledger (docs/ledger.md): the run and its label.",
        properties: { runId: text, label: text },
      },
      rollout: {
        type: "object",
        additionalProperties: false,
        required: ["waves"],
        description: "`migrate --rollout` / `--wave`: each wave's outcome, and where the rollout stopped.",
        properties: {
          waves: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["name", "total", "failed", "status"],
              properties: { name: text, total: count, failed: count, status: { enum: ["succeeded", "stopped", "not_started"] } },
            },
          },
          stopped: { type: "object", additionalProperties: false, required: ["wave", "reason"], properties: { wave: text, reason: text } },
        },
      },
      databases: { type: "array", items: { $ref: "#/$defs/database" } },
      summary: {
        type: "object",
        additionalProperties: false,
        required: ["total", "planned", "succeeded", "failed", "skipped", "cancelled"],
        properties: { total: count, planned: count, succeeded: count, failed: count, skipped: count, cancelled: count },
      },
    },
    $defs: {
      database: {
        type: "object",
        additionalProperties: false,
        required: ["name", "engine", "status", "migrations", "applied"],
        properties: {
          name: text,
          engine: text,
          target: { ...text, description: "The connection target with its password replaced by ***." },
          status: { enum: ["planned", "succeeded", "failed", "skipped", "cancelled"] },
          direction,
          migrations: { type: "array", items: { $ref: "#/$defs/migration" } },
          applied: { type: "array", items: text, description: "IDs this run applied (or reverted, for down), in order." },
          warnings: { type: "array", items: { $ref: "#/$defs/warning" } },
          lint: { type: "array", items: { $ref: "#/$defs/finding" } },
          durationMs: count,
          error: { $ref: "#/$defs/error" },
        },
        // `error` is present exactly when the database failed.
        if: { properties: { status: { const: "failed" } } },
        then: { required: ["error"] },
        else: { not: { required: ["error"] } },
      },
      migration: {
        type: "object",
        additionalProperties: false,
        required: ["id", "description", "applied", "state"],
        properties: {
          id: text,
          description: text,
          applied: { type: "boolean" },
          state: { enum: ["applied", "pending", "failed"] },
          checksum: text,
          appliedAt: { ...text, pattern: ISO_UTC, description: "ISO 8601 UTC." },
          startedAt: { ...text, pattern: ISO_UTC, description: "ISO 8601 UTC." },
          error: text,
          action: { enum: ["apply", "revert", "mark"], description: "Previews: what the previewed run would do with the migration (mark: a baseline records it applied without running it)." },
        },
      },
      warning: {
        type: "object",
        additionalProperties: false,
        required: ["code", "message"],
        properties: { code: text, message: text, file: text },
      },
      finding: {
        type: "object",
        additionalProperties: false,
        required: ["rule", "severity", "migration", "file", "line", "column", "statement", "message", "fix"],
        properties: {
          rule: text, severity: { enum: ["error", "warning"] }, migration: text, file: text,
          line: { type: "integer", minimum: 1 }, column: { type: "integer", minimum: 1 }, statement: text, message: text, fix: text,
        },
      },
      error: {
        type: "object",
        additionalProperties: false,
        required: ["kind", "message"],
        properties: {
          kind: { enum: [...ERROR_KINDS] },
          message: text,
          database: text,
          migration: text,
          file: text,
          line: { type: "integer", minimum: 1 },
          hint: text,
          driverCode: text,
        },
      },
    },
  };
}
