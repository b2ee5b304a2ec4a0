import type { Kysely } from 'kysely';

// Released migrations are never edited: add a new file instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('changes')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('number', 'integer', (column) => column.notNull().unique())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    // The change as written (ChangeContent) and its SHA-256: approvals are bound to the hash.
    .addColumn('content', 'text', (column) => column.notNull())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('services', 'text', (column) => column.notNull())
    .addColumn('requester', 'text', (column) => column.notNull())
    .addColumn('implementer', 'text', (column) => column.notNull())
    .addColumn('planned_start', 'text')
    .addColumn('planned_end', 'text')
    .addColumn('risk', 'text')
    .addColumn('requirement', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('retrospective_due_at', 'text')
    .addColumn('retrospective_missed_at', 'text')
    .execute();
  await db.schema.createIndex('changes_status').on('changes').columns(['status', 'number']).execute();

  await db.schema
    .createTable('change_services')
    .addColumn('change_id', 'text', (column) => column.notNull())
    .addColumn('service', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('change_services_pk', ['change_id', 'service'])
    .execute();
  await db.schema.createIndex('change_services_service').on('change_services').column('service').execute();

  await db.schema
    .createTable('change_approvals')
    .addColumn('change_id', 'text', (column) => column.notNull())
    .addColumn('event_id', 'text', (column) => column.notNull())
    .addColumn('approver', 'text', (column) => column.notNull())
    .addColumn('teams', 'text', (column) => column.notNull())
    .addColumn('as_board', 'integer', (column) => column.notNull())
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('content_hash', 'text', (column) => column.notNull())
    .addColumn('comment', 'text')
    .addPrimaryKeyConstraint('change_approvals_pk', ['change_id', 'event_id'])
    .execute();

  await db.schema
    .createTable('deployments')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('service', 'text', (column) => column.notNull())
    .addColumn('team', 'text')
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('commit_at', 'text')
    .addColumn('deployed_at', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('recovered_at', 'text')
    .addColumn('change_id', 'text')
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('event_id', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('deployments_service_time')
    .on('deployments')
    .columns(['service', 'deployed_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['deployments', 'change_approvals', 'change_services', 'changes']) {
    await db.schema.dropTable(table).execute();
  }
}
