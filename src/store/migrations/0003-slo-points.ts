import type { Kysely } from 'kysely';

// Released migrations are never edited: add a new file instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per SLO and Unix minute with data; cum_* are running totals through that minute.
  await db.schema
    .createTable('slo_points')
    .addColumn('slo_id', 'text', (column) => column.notNull())
    .addColumn('minute', 'bigint', (column) => column.notNull())
    .addColumn('good', 'bigint', (column) => column.notNull())
    .addColumn('total', 'bigint', (column) => column.notNull())
    .addColumn('cum_good', 'bigint', (column) => column.notNull())
    .addColumn('cum_total', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('slo_points_pk', ['slo_id', 'minute'])
    .execute();

  await db.schema
    .createTable('slo_point_batches')
    .addColumn('slo_id', 'text', (column) => column.notNull())
    .addColumn('digest', 'text', (column) => column.notNull())
    .addColumn('received_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('slo_point_batches_pk', ['slo_id', 'digest'])
    .execute();
  await db.schema.createIndex('slo_point_batches_received_at').on('slo_point_batches').column('received_at').execute();

  // Ingests lock their SLO's row here; base_* are the running totals of minutes removed by retention.
  await db.schema
    .createTable('slo_point_series')
    .addColumn('slo_id', 'text', (column) => column.primaryKey())
    .addColumn('base_good', 'bigint', (column) => column.notNull())
    .addColumn('base_total', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['slo_point_series', 'slo_point_batches', 'slo_points']) {
    await db.schema.dropTable(table).execute();
  }
}
