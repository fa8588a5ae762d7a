import { StagecraftError } from "../../errors.js";
import type { NewMigrationOptions, NewMigrationResult } from "../../registry/engine-offline.js";

/**
 * `stagecraft new` for an engine whose migration folders its own tool writes (with the schema
 * diff, the journal, the lock file): refuse, naming that tool's command.
 */
export function otherToolCreates(engine: string, command: (name: string) => string, why: string, alternative = "") {
  return async (opts: NewMigrationOptions): Promise<NewMigrationResult> => {
    const name = /^[A-Za-z0-9_-]+$/.test(opts.name) ? opts.name : JSON.stringify(opts.name);
    throw new StagecraftError("invalid_config", `database ${opts.database} uses the ${engine} engine, whose migration folders ${why}; stagecraft does not create them`, {
      hint: `run \`${command(name)}\`${alternative.replaceAll("NAME", name)} where the schema lives, then \`stagecraft migrate --plan\``,
    });
  };
}
