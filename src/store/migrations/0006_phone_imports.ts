import type { Kysely } from 'kysely';

/**
 * Registering phone endpoints from a CSV: one run per uploaded file (the dry run, then the writes
 * once someone confirms), with one row per data line of the file: its verdict in the dry run, then
 * what registering it did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_imports')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('intent', 'text', (column) => column.notNull().unique())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('file_id', 'text', (column) => column.notNull())
    .addColumn('file_name', 'text', (column) => column.notNull())
    .addColumn('default_integration', 'text')
    .addColumn('confirmed_by', 'text')
    .addColumn('channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('error', 'text')
    .addColumn('reported_at', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('phone_imports_tenant').on('phone_imports').columns(['workspace_key', 'created_at']).execute();
  await db.schema.createIndex('phone_imports_status').on('phone_imports').columns(['status', 'updated_at']).execute();

  await db.schema
    .createTable('phone_import_rows')
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('row_number', 'integer', (column) => column.notNull())
    .addColumn('subscriber_id', 'text')
    .addColumn('phone', 'text')
    .addColumn('integration', 'text')
    .addColumn('identifier', 'text')
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('problem', 'text')
    .addColumn('detail', 'text')
    .addPrimaryKeyConstraint('phone_import_rows_pk', ['run_id', 'row_number'])
    .execute();
  await db.schema.createIndex('phone_import_rows_state').on('phone_import_rows').columns(['run_id', 'state', 'row_number']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['phone_import_rows', 'phone_imports']) await db.schema.dropTable(table).ifExists().execute();
}
