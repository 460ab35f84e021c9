import type { Kysely } from 'kysely';

/**
 * Delivery as Novu's worker does it: the context set each endpoint was written with (so a change of
 * the tenant's context finds what must move), the subscribers Switchboard made for a tenant (which
 * no other tenant may route), and each tenant's latest delivery check (for the App Home).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('owned_endpoints').addColumn('context_keys', 'text').execute();

  await db.schema
    .createTable('tenant_subscribers')
    .addColumn('subscriber_id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('delivery_checks')
    .addColumn('workspace_key', 'text', (column) => column.primaryKey())
    .addColumn('requested_by', 'text')
    .addColumn('checked_at', 'bigint', (column) => column.notNull())
    .addColumn('report', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('delivery_checks').ifExists().execute();
  await db.schema.dropTable('tenant_subscribers').ifExists().execute();
  await db.schema.alterTable('owned_endpoints').dropColumn('context_keys').execute();
}
