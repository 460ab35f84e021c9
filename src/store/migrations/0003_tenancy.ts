import { type Kysely, sql } from 'kysely';

/**
 * Tenants and what they own: each installed workspace (or Enterprise Grid org) with its approval,
 * the Novu endpoints and vendor numbers made through Switchboard, and the latest intent on connections,
 * so a job queued for an older intent does nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('workspace_key', 'text', (column) => column.primaryKey())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('slack_id', 'text', (column) => column.notNull())
    .addColumn('name', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('installed_by', 'text')
    .addColumn('requested_at', 'bigint', (column) => column.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('installs', 'integer', (column) => column.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('tenants_status').on('tenants').columns(['status', 'requested_at']).execute();
  // Workspaces installed before tenants existed were let in by the open policy of the time.
  await sql`
    insert into tenants (workspace_key, kind, slack_id, name, status, installed_by, requested_at, decided_by, decided_at, installs, created_at, updated_at)
    select workspace_key,
           case when workspace_key like 'enterprise:%' then 'enterprise' else 'team' end,
           case when workspace_key like 'enterprise:%' then substr(workspace_key, 12) else substr(workspace_key, 6) end,
           workspace_name, 'approved', installer_user_id, created_at, 'upgrade', created_at, 1, created_at, updated_at
    from installations`.execute(db);

  await db.schema
    .createTable('owned_endpoints')
    .addColumn('identifier', 'text', (column) => column.primaryKey())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('subscriber_id', 'text', (column) => column.notNull())
    .addColumn('integration_identifier', 'text', (column) => column.notNull())
    .addColumn('connection_identifier', 'text')
    .addColumn('target', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('owned_endpoints_tenant').on('owned_endpoints').columns(['workspace_key', 'type', 'created_at']).execute();

  await db.schema
    .createTable('owned_numbers')
    .addColumn('backend', 'text', (column) => column.notNull())
    .addColumn('vendor_id', 'text', (column) => column.notNull())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('number', 'text')
    .addColumn('sip_uri', 'text')
    .addColumn('name', 'text')
    .addColumn('status', 'text')
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('owned_numbers_pk', ['backend', 'vendor_id'])
    .execute();
  await db.schema.createIndex('owned_numbers_tenant').on('owned_numbers').columns(['workspace_key', 'created_at']).execute();

  await db.schema
    .alterTable('connections')
    .addColumn('intent', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('connections').dropColumn('intent').execute();
  for (const table of ['owned_numbers', 'owned_endpoints', 'tenants']) await db.schema.dropTable(table).ifExists().execute();
}
