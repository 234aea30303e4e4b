/*
 * What owners were last told, per notification scope (an entity or a
 * cluster, and a topic): the conditions of that notification, so each
 * change is sent once, whichever replica runs the snapshot. A row goes when
 * its conditions clear, so a recurrence is told again.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_posture_notices', table => {
    table.comment('The conditions each notification scope last told');
    table
      .string('scope', 255)
      .primary()
      .comment('mesh-posture:<entity ref or cluster:<name>>:<topic>');
    table.string('topic', 32).notNullable();
    table
      .text('conditions')
      .notNullable()
      .comment('JSON array of condition keys, sorted');
    table.timestamp('notified_at', { useTz: true }).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_posture_notices');
};
