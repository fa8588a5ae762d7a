import { z } from "zod";
import type { Registry } from "../registry/registry.js";
import { configSchema, migrationsSchema } from "./schema.js";

/**
 * JSON Schema of stagecraft.yml for editors (yaml-language-server): the core schema, with
 * `migrations` narrowed per engine so each engine's own keys complete and check. A database
 * entry is a plain database (`connection_env`) or a fleet (`fleet:`); both carry `migrations`.
 */
export function buildJsonSchema(registry: Registry): Record<string, unknown> {
  const variants = registry.ids().map((id) => {
    const engineSchema = registry.get(id).configSchema;
    const core = migrationsSchema.extend({ engine: z.literal(id) });
    const shape = engineSchema instanceof z.ZodObject ? core.extend(engineSchema.shape).strict() : core;
    return z.toJSONSchema(shape, { io: "input", unrepresentable: "any" });
  });
  const root = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const databases = (root.properties as Record<string, Record<string, unknown>>).databases!;
  const entry = databases.additionalProperties as { anyOf: Record<string, unknown>[] };
  const migrations = { anyOf: variants.map(({ $schema: _ignored, ...rest }) => rest) };
  for (const kind of entry.anyOf) (kind.properties as Record<string, unknown>).migrations = migrations;
  return { ...root, title: "stagecraft.yml", description: "Databases migrated by stagecraft, each with its migration engine; a `fleet:` entry expands into many." };
}
