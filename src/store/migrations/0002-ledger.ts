import { type Kysely, sql } from 'kysely';

const EMPTY_ROOT_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// Released migrations are never edited: add a new file instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ledger_entries')
    .addColumn('seq', 'bigint', (column) => column.primaryKey())
    .addColumn('id', 'text', (column) => column.notNull().unique())
    .addColumn('time', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('subject', 'text', (column) => column.notNull())
    .addColumn('leaf', 'text', (column) => column.notNull())
    .addColumn('restricted', 'text')
    .execute();
  await db.schema.createIndex('ledger_entries_subject').on('ledger_entries').columns(['subject', 'seq']).execute();
  await db.schema.createIndex('ledger_entries_type').on('ledger_entries').columns(['type', 'seq']).execute();
  await db.schema.createIndex('ledger_entries_time').on('ledger_entries').columns(['time', 'seq']).execute();

  await db.schema
    .createTable('ledger_nodes')
    .addColumn('level', 'integer', (column) => column.notNull())
    .addColumn('idx', 'bigint', (column) => column.notNull())
    .addColumn('hash', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'idx'])
    .execute();

  await db.schema
    .createTable('ledger_head')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('size', 'bigint', (column) => column.notNull())
    .addColumn('root', 'text', (column) => column.notNull())
    .execute();
  // The empty tree: size 0, root SHA-256 of the empty string.
  await sql`insert into ledger_head (id, size, root) values (1, 0, ${EMPTY_ROOT_HEX})`.execute(db);

  await db.schema
    .createTable('ledger_checkpoints')
    .addColumn('size', 'bigint', (column) => column.primaryKey())
    .addColumn('root', 'text', (column) => column.notNull())
    .addColumn('signed_at', 'text', (column) => column.notNull())
    .addColumn('note', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['ledger_checkpoints', 'ledger_head', 'ledger_nodes', 'ledger_entries']) {
    await db.schema.dropTable(table).execute();
  }
}
