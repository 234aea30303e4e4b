/*
 * Readings of each entity's posture, kept so a page with a source down can
 * still say what was last known, and so posture has a history. Append-only:
 * rows are inserted and, past the retention period, deleted; never updated.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_posture_observations', table => {
    table.comment('Append-only readings of entity mesh posture');
    table.bigIncrements('id').primary();
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Lower-cased entity ref, e.g. component:default/payments-api');
    table.timestamp('observed_at', { useTz: true }).notNullable();
    table
      .string('verdict', 16)
      .notNullable()
      .comment('pass | warn | fail | unknown');
    table.integer('total_pods').notNullable();
    table.integer('meshed_pods').notNullable();
    table.double('inbound_mtls_share').nullable();
    table.double('outbound_mtls_share').nullable();
    table.double('inbound_rps').notNullable();
    table.double('outbound_rps').notNullable();
    table
      .boolean('complete')
      .notNullable()
      .comment('True when every source answered for this reading');
    table.index(['entity_ref', 'observed_at'], 'mesh_posture_obs_entity_time');
    table.index(['observed_at'], 'mesh_posture_obs_time');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_posture_observations');
};
