import type { Kysely } from 'kysely';

/**
 * Requests for paid numbers from people who may ask but not provision: the exact vendor request
 * (its SIP password sealed), waiting for an operator until it expires. `submission` makes a double
 * submit of one form one request; `provision_job_id` is the approved request's job, once recorded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('number_requests')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('submission', 'text', (column) => column.notNull().unique())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('backend', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('requested_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('provision_job_id', 'text')
    .execute();
  await db.schema.createIndex('number_requests_status').on('number_requests').columns(['status', 'requested_at']).execute();
  await db.schema.createIndex('number_requests_tenant').on('number_requests').columns(['workspace_key', 'status', 'requested_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('number_requests').ifExists().execute();
}
