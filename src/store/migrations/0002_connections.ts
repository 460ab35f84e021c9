import type { Kysely } from 'kysely';

/** The Novu channel connection Switchboard manages for each workspace, and how its last sync went. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('workspace_key', 'text', (column) => column.primaryKey())
    .addColumn('identifier', 'text', (column) => column.notNull())
    .addColumn('integration_identifier', 'text', (column) => column.notNull())
    .addColumn('connection_mode', 'text', (column) => column.notNull())
    .addColumn('context', 'text')
    .addColumn('subscriber_id', 'text')
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('last_error', 'text')
    .addColumn('synced_at', 'bigint')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('connections').execute();
}
