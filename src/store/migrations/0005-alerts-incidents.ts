import type { Kysely } from 'kysely';

// Released migrations are never edited: add a new file instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Payloads received but not yet turned into events; ids sort in order of receipt.
  await db.schema
    .createTable('alert_inbox')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('received_at', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('fingerprint', 'text', (column) => column.primaryKey())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('alertname', 'text', (column) => column.notNull())
    .addColumn('severity', 'text')
    .addColumn('service', 'text')
    .addColumn('labels', 'text', (column) => column.notNull())
    .addColumn('annotations', 'text', (column) => column.notNull())
    .addColumn('enrichment', 'text', (column) => column.notNull())
    .addColumn('group_key', 'text')
    .addColumn('generator_url', 'text')
    .addColumn('starts_at', 'text', (column) => column.notNull())
    .addColumn('ends_at', 'text')
    .addColumn('fired_at', 'text', (column) => column.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('event_id', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('alerts_status_service').on('alerts').columns(['status', 'service']).execute();
  await db.schema.createIndex('alerts_incident').on('alerts').column('incident_id').execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('number', 'integer', (column) => column.notNull().unique())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('origin', 'text', (column) => column.notNull())
    .addColumn('correlation_key', 'text')
    .addColumn('summary', 'text')
    .addColumn('declared_at', 'text', (column) => column.notNull())
    .addColumn('declared_by', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    // Each timestamp with who set it, as JSON: { "aware": { "at": ..., "by": ... }, ... }.
    .addColumn('timestamps', 'text', (column) => column.notNull())
    .addColumn('roles', 'text', (column) => column.notNull())
    .addColumn('classification', 'text')
    .execute();
  await db.schema.createIndex('incidents_status').on('incidents').columns(['status', 'number']).execute();

  await db.schema
    .createTable('incident_services')
    .addColumn('incident_id', 'text', (column) => column.notNull())
    .addColumn('service', 'text', (column) => column.notNull())
    .addColumn('degraded_at', 'text')
    .addColumn('degraded_by', 'text')
    .addColumn('restored_at', 'text')
    .addColumn('restored_by', 'text')
    .addPrimaryKeyConstraint('incident_services_pk', ['incident_id', 'service'])
    .execute();
  await db.schema.createIndex('incident_services_service').on('incident_services').column('service').execute();

  await db.schema
    .createTable('incident_links')
    .addColumn('incident_id', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('target', 'text', (column) => column.notNull())
    .addColumn('relation', 'text', (column) => column.notNull())
    .addColumn('linked_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('incident_links_pk', ['incident_id', 'kind', 'target'])
    .execute();

  // The one open incident of each correlation key; the primary key makes a second one impossible.
  await db.schema
    .createTable('incident_correlations')
    .addColumn('correlation_key', 'text', (column) => column.primaryKey())
    .addColumn('incident_id', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('incident_reports')
    .addColumn('incident_id', 'text', (column) => column.notNull())
    .addColumn('regime', 'text', (column) => column.notNull())
    .addColumn('report', 'text', (column) => column.notNull())
    .addColumn('submitted_at', 'text', (column) => column.notNull())
    .addColumn('submitted_by', 'text', (column) => column.notNull())
    .addColumn('reference', 'text')
    .addColumn('event_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('incident_reports_pk', ['incident_id', 'event_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'incident_reports',
    'incident_correlations',
    'incident_links',
    'incident_services',
    'incidents',
    'alerts',
    'alert_inbox',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
