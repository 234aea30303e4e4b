/*
 * A flow whose security no proxy reported (an Istio call seen only by the
 * caller, say) is neither mTLS nor plaintext: its share is null, and the
 * reasons it could not be observed are kept beside the plaintext reasons.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_posture_dataflows', table => {
    table
      .double('mtls_share')
      .nullable()
      .comment(
        'Share of observed requests over mTLS; null when none was observed',
      )
      .alter();
    table
      .text('unverified_reasons')
      .nullable()
      .comment('JSON list of why some requests could not be observed');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex('mesh_posture_dataflows')
    .whereNull('mtls_share')
    .update({ mtls_share: 0 });
  await knex.schema.alterTable('mesh_posture_dataflows', table => {
    table.dropColumn('unverified_reasons');
    table.double('mtls_share').notNullable().alter();
  });
};
