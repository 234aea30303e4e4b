/*
 * Compliance checklists. Append-only: every answer, exemption and
 * attestation is a new row of mesh_posture_checklist_events, and the current
 * state is folded from them; rows are never updated or deleted. Template
 * versions are recorded once each, so an export can show the exact wording
 * an attestation was made under.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_posture_checklist_events', table => {
    table.comment(
      'Append-only history of checklist answers, exemptions and attestations',
    );
    table.bigIncrements('id').primary();
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Lower-cased entity ref, e.g. component:default/payments-api');
    table.string('template_id', 64).notNullable();
    table
      .integer('version')
      .notNullable()
      .comment('1, 2, 3, … per entity and template: the optimistic lock');
    table.integer('template_version').notNullable();
    table
      .string('kind', 16)
      .notNullable()
      .comment('answer | exemption | attestation');
    table
      .string('item_id', 64)
      .nullable()
      .comment('The item answered or exempted; null for attestations');
    table
      .text('payload')
      .notNullable()
      .comment('JSON {old, new}: the value before and after the change');
    table
      .string('actor', 255)
      .notNullable()
      .comment('User entity ref of who made the change');
    table.timestamp('created_at', { useTz: true }).notNullable();
    // Two writes on the same base version cannot both land.
    table.unique(['entity_ref', 'template_id', 'version'], {
      indexName: 'mesh_posture_checklist_events_version',
    });
    table.index(['created_at'], 'mesh_posture_checklist_events_time');
  });

  await knex.schema.createTable('mesh_posture_checklist_templates', table => {
    table.comment('Each template version as first seen, never changed');
    table.string('template_id', 64).notNullable();
    table.integer('version').notNullable();
    table.string('fingerprint', 32).notNullable();
    table
      .string('source', 16)
      .notNullable()
      .comment('built-in | config | file');
    table.text('definition').notNullable().comment('The template, JSON');
    table.timestamp('first_seen_at', { useTz: true }).notNullable();
    table.primary(['template_id', 'version']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_posture_checklist_templates');
  await knex.schema.dropTable('mesh_posture_checklist_events');
};
