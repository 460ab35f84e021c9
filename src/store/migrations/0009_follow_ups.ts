import type { Kysely } from 'kysely';

/**
 * A job's follow-up (its DM, audit line, form update) is part of the job: recorded as pending in
 * the same write that records the outcome, delivered at least once, and each of its effects
 * recorded once done, so a follow-up delivered again sends none of them twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('follow_up', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('follow_up_at', 'bigint').execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('follow_up_attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('jobs').addColumn('follow_up_error', 'text').execute();
  await db.schema.createIndex('jobs_follow_up').on('jobs').columns(['follow_up', 'follow_up_at']).execute();

  await db.schema
    .createTable('follow_up_effects')
    .addColumn('job_id', 'text', (column) => column.notNull())
    .addColumn('effect', 'text', (column) => column.notNull())
    .addColumn('done_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('follow_up_effects_pk', ['job_id', 'effect'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('follow_up_effects').ifExists().execute();
  await db.schema.dropIndex('jobs_follow_up').ifExists().execute();
  for (const column of ['follow_up', 'follow_up_at', 'follow_up_attempts', 'follow_up_error']) await db.schema.alterTable('jobs').dropColumn(column).execute();
}
