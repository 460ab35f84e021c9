import type { Kysely } from 'kysely';

/**
 * Calls and texts reported into a channel: one row per number that reports (where, the sealed
 * secret the vendor authenticates with, who set it), and the reports Slack would not take,
 * kept for the App Home until the channel is fixed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('number_reports')
    .addColumn('backend', 'text', (column) => column.notNull())
    .addColumn('vendor_id', 'text', (column) => column.notNull())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('channel_id', 'text', (column) => column.notNull())
    .addColumn('sealed_secret', 'text')
    .addColumn('credential_id', 'text')
    .addColumn('set_by', 'text', (column) => column.notNull())
    .addColumn('set_at', 'bigint', (column) => column.notNull())
    .addColumn('warned_at', 'bigint')
    .addPrimaryKeyConstraint('number_reports_pk', ['backend', 'vendor_id'])
    .execute();
  await db.schema.createIndex('number_reports_tenant').on('number_reports').columns(['workspace_key']).execute();
  await db.schema
    .createTable('unposted_reports')
    .addColumn('event_key', 'text', (column) => column.primaryKey())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('backend', 'text', (column) => column.notNull())
    .addColumn('vendor_id', 'text', (column) => column.notNull())
    .addColumn('channel_id', 'text', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('event', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('unposted_reports_tenant').on('unposted_reports').columns(['workspace_key', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('unposted_reports').execute();
  await db.schema.dropTable('number_reports').execute();
}
