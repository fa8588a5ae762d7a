exports.up = (knex) => knex.schema.alterTable("jobs", (t) => t.index(["run_at"], "jobs_run_at"));
exports.down = (knex) => knex.schema.alterTable("jobs", (t) => t.dropIndex(["run_at"], "jobs_run_at"));
