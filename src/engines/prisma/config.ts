import { z } from "zod";

/** Keys of `databases.<name>.migrations` for `engine: prisma` (`path` is the `prisma/migrations` folder). */
export const prismaConfigSchema = z.strictObject({
  /**
   * For a database that already has a schema but no `_prisma_migrations` (Prisma's P3005):
   * record the migrations up to and including this one as applied without running them, then
   * apply the rest — what `prisma migrate resolve --applied` does when baselining.
   */
  baseline: z.string().min(1).optional(),
  /** Accept an applied migration whose migration.sql changed (Prisma's deploy ignores edits). */
  allow_changed: z.boolean().default(false),
});

export type PrismaConfig = z.output<typeof prismaConfigSchema>;
