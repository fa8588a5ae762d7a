import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StagecraftError } from "../../errors.js";
import type { NewMigrationOptions, NewMigrationResult } from "../../registry/engine-offline.js";
import { migrationSlug, nextNumber } from "../shared/next-number.js";

/** The parts of a raw migration file name: number, separator, rest, `.up`/`.down`. */
const NAME = /^(\d+)([_-])?(.*?)\.(up\.|down\.)?sql$/;

/**
 * `stagecraft new` for raw folders: `<next number><sep><name>.sql` in the folder's own style —
 * number width (or timestamps), `_` or `-`, `.sql` or `.up.sql` — and with `down` the matching
 * `.down.sql`. A folder that does not exist yet is created.
 */
export async function newMigration(opts: NewMigrationOptions): Promise<NewMigrationResult> {
  const slug = migrationSlug(opts.name);
  mkdirSync(opts.migrationPath, { recursive: true });
  const files = readdirSync(opts.migrationPath).map((name) => NAME.exec(name)).filter((m) => m !== null);
  const last = files.filter((m) => m[4] !== "down.").sort((a, b) => (BigInt(a[1]!) < BigInt(b[1]!) ? -1 : BigInt(a[1]!) > BigInt(b[1]!) ? 1 : 0)).at(-1);
  const number = nextNumber(files.map((m) => m[1]!), opts.now, "001");
  const id = `${number}${last?.[2] ?? "_"}${slug}`;
  const up = join(opts.migrationPath, `${id}${last?.[4] === "up." ? ".up" : ""}.sql`);
  const created = [write(up, `-- ${id}: write the migration's SQL here (it runs in a transaction where the database allows;\n-- start the file with "-- stagecraft:no-transaction" to run it without one).\n`)];
  if (opts.down) created.push(write(join(opts.migrationPath, `${id}.down.sql`), `-- Reverts ${id} (stagecraft migrate --down).\n`));
  return { id, files: created };
}

function write(path: string, text: string): string {
  if (existsSync(path)) throw new StagecraftError("invalid_config", `${path} already exists`, { file: path, hint: "pick another name" });
  writeFileSync(path, text, { flag: "wx" });
  return path;
}
