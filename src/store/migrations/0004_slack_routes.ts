import type { Kysely } from 'kysely';

/**
 * Linking Slack people to Novu subscribers: runs of "link everyone by email" with one row per
 * member (the dry run's verdict, then what linking did), and people's requests to link themselves
 * when their email does not match, waiting for an admin.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('link_runs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('members_seen', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('reported_at', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('link_runs_tenant').on('link_runs').columns(['workspace_key', 'created_at']).execute();

  await db.schema
    .createTable('link_run_items')
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('user_id', 'text', (column) => column.notNull())
    .addColumn('subscriber_id', 'text')
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .addPrimaryKeyConstraint('link_run_items_pk', ['run_id', 'user_id'])
    .execute();
  await db.schema.createIndex('link_run_items_state').on('link_run_items').columns(['run_id', 'state']).execute();

  await db.schema
    .createTable('link_requests')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('user_id', 'text', (column) => column.notNull())
    .addColumn('subscriber_id', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('requested_at', 'bigint', (column) => column.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .execute();
  await db.schema.createIndex('link_requests_tenant').on('link_requests').columns(['workspace_key', 'status', 'requested_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['link_requests', 'link_run_items', 'link_runs']) await db.schema.dropTable(table).ifExists().execute();
}
