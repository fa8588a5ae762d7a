// Worker of the hand-written pool baseline: the same per-database work as the sequential loop.
import { migrateOne } from "../fixtures/sqlite-fleet-work.js";

export default function run(task: { path: string; migrations: { id: string; sql: string }[]; journalMode: string }): number {
  return migrateOne(task.path, task.migrations, task.journalMode);
}
