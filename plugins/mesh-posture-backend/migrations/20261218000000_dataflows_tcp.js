/*
 * TCP flows (a database, an opaque port) are measured in bytes, not
 * requests; a flow through a multicluster gateway has its peer on another
 * cluster. Both are part of what makes a flow one flow.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_posture_dataflows', table => {
    table
      .string('protocol', 8)
      .notNullable()
      .defaultTo('http')
      .comment('http, grpc or tcp');
    table
      .double('bytes_per_second')
      .nullable()
      .comment('TCP flows: bytes per second both ways');
    table
      .string('peer_cluster')
      .nullable()
      .comment("The peer's cluster when it is not the workload's");
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex('mesh_posture_dataflows').where('protocol', 'tcp').delete();
  await knex.schema.alterTable('mesh_posture_dataflows', table => {
    table.dropColumn('protocol');
    table.dropColumn('bytes_per_second');
    table.dropColumn('peer_cluster');
  });
};
