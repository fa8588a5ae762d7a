exports.up = (knex) =>
  knex.schema.createTable("jobs", (t) => {
    t.increments("id");
    t.string("kind").notNullable();
    t.timestamp("run_at").notNullable();
  });
exports.down = (knex) => knex.schema.dropTable("jobs");
