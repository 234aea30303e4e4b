/*
 * The certificates each snapshot run read (trust anchors, issuers, roots,
 * intermediates: once per cluster) and each workload's soonest-expiring
 * certificate (per entity): the inventory PCI DSS v4.0 4.2.1.1 asks for,
 * as of every run. Append-only, deleted with its run.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_posture_certificates', table => {
    table.comment('Certificates a snapshot run read, per entity');
    table.bigIncrements('id').primary();
    table
      .bigInteger('run_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mesh_posture_snapshot_runs')
      .onDelete('CASCADE');
    table
      .string('entity_ref', 255)
      .nullable()
      .comment(
        "The entity it was read through; null for a cluster's own (anchors, issuers, roots), read through every entity on the cluster",
      );
    table.string('cluster', 255).notNullable();
    table.string('mesh', 16).notNullable();
    table.string('role', 32).notNullable();
    table.text('subject').notNullable();
    table.text('location').notNullable();
    table.timestamp('not_before', { useTz: true }).notNullable();
    table.timestamp('not_after', { useTz: true }).notNullable();
    table.text('problem').nullable();
    table.index(['run_id'], 'mesh_posture_certificates_run');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_posture_certificates');
};
