/*
 * Scorecard snapshots: one row per run of the snapshot task, one row per
 * entity per run (its score and checks), and the service-to-service flows
 * each run observed, so an auditor can ask what talked to what, and whether
 * it was encrypted, on a past date. Append-only: rows are inserted and,
 * past the retention period, deleted with their run; never updated.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_posture_snapshot_runs', table => {
    table.comment('Runs of the scorecard snapshot task');
    table.bigIncrements('id').primary();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).notNullable();
    table.integer('entities').notNullable();
    table.integer('prometheus_queries').notNullable();
    table.integer('kubernetes_reads').notNullable();
    table
      .text('failed_sources')
      .notNullable()
      .comment('JSON list of "role@cluster: status" for sources that failed');
    table.index(['finished_at'], 'mesh_posture_runs_time');
  });

  await knex.schema.createTable('mesh_posture_entity_scores', table => {
    table.comment('Each entity scored in a snapshot run');
    table.bigIncrements('id').primary();
    table
      .bigInteger('run_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mesh_posture_snapshot_runs')
      .onDelete('CASCADE');
    table.timestamp('taken_at', { useTz: true }).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('owner', 255).nullable();
    table.string('system', 255).nullable();
    table.string('lifecycle', 255).nullable();
    table.string('level', 64).nullable();
    table.double('score').notNullable();
    table.text('clusters').notNullable().comment('JSON list of cluster names');
    table.text('meshes').notNullable().comment('JSON list of mesh kinds');
    table
      .text('scorecard')
      .notNullable()
      .comment('JSON of the whole EntityScorecard');
    table.unique(['run_id', 'entity_ref'], {
      indexName: 'mesh_posture_scores_run_entity',
    });
    table.index(['entity_ref', 'taken_at'], 'mesh_posture_scores_entity_time');
  });

  await knex.schema.createTable('mesh_posture_dataflows', table => {
    table.comment('Service-to-service flows observed by a snapshot run');
    table.bigIncrements('id').primary();
    table
      .bigInteger('run_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mesh_posture_snapshot_runs')
      .onDelete('CASCADE');
    table.timestamp('observed_at', { useTz: true }).notNullable();
    table.string('cluster', 255).notNullable();
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('The entity whose workload saw the flow');
    table.string('direction', 8).notNullable().comment('inbound | outbound');
    table.string('workload_namespace', 255).notNullable();
    table.string('workload_name', 255).notNullable();
    table.string('peer_entity_ref', 255).nullable();
    table.string('peer_namespace', 255).nullable();
    table.string('peer_workload', 255).nullable();
    table.string('peer_identity', 512).nullable();
    table.double('requests_per_second').notNullable();
    table.double('mtls_share').notNullable();
    table
      .text('plaintext_reasons')
      .notNullable()
      .comment('JSON list of the reasons given for plaintext requests');
    table.index(['entity_ref', 'observed_at'], 'mesh_posture_flows_entity');
    table.index(['peer_entity_ref', 'observed_at'], 'mesh_posture_flows_peer');
    table.index(['run_id'], 'mesh_posture_flows_run');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_posture_dataflows');
  await knex.schema.dropTable('mesh_posture_entity_scores');
  await knex.schema.dropTable('mesh_posture_snapshot_runs');
};
