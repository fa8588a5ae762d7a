import { ConfigError } from "../config/config-error.js";
import type { DatabaseConfig, StagecraftConfig } from "../config/load.js";
import type { PlanAllOptions } from "./run-all.js";

/** The databases a call works on: the named ones, or every one whose strategy is selected. */
export function select(config: StagecraftConfig, options: PlanAllOptions): DatabaseConfig[] {
  if (options.databases !== undefined) {
    const known = new Map(config.databases.map((db) => [db.name, db]));
    const unknown = options.databases.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new ConfigError(unknown.map((name) => ({
        file: config.file, path: `databases.${name}`, message: `no database named ${name}; defined: [${[...known.keys()].join(", ")}]`,
      })));
    }
    return [...new Set(options.databases)].map((name) => known.get(name)!);
  }
  const strategies = options.strategies ?? ["pre_deploy", "post_deploy"];
  return config.databases.filter((db) => strategies.includes(db.strategy));
}
