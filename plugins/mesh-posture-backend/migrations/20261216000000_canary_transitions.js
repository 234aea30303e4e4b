/*
 * Phase transitions of Flagger canaries, as the backend observed them, so
 * the Canary card can show recent rollouts with their outcome and duration,
 * and deployments per week. Append-only: a row is inserted when a canary's
 * phase or revision differs from its last row; rows are never updated. The
 * unique index makes two replicas observing the same transition store it
 * once.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_posture_canary_transitions', table => {
    table.comment('Append-only phase transitions of Flagger canaries');
    table.bigIncrements('id').primary();
    table.string('cluster', 255).notNullable();
    table.string('namespace', 255).notNullable();
    table.string('name', 255).notNullable();
    table.string('phase', 32).notNullable();
    table
      .string('revision', 255)
      .nullable()
      .comment("Flagger's status.lastAppliedSpec: one per rollout");
    table.integer('canary_weight').notNullable();
    table.integer('failed_checks').notNullable();
    table
      .timestamp('transition_at', { useTz: true })
      .notNullable()
      .comment("Flagger's lastTransitionTime, or when first observed");
    table.timestamp('observed_at', { useTz: true }).notNullable();
    table.text('message').nullable();
    table.unique(['cluster', 'namespace', 'name', 'phase', 'transition_at'], {
      indexName: 'mesh_posture_canary_transition_once',
    });
    table.index(
      ['cluster', 'namespace', 'name', 'transition_at'],
      'mesh_posture_canary_by_canary',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_posture_canary_transitions');
};
