import type { Kysely } from 'kysely';

/** Releasing a number: the release job that holds it, so two confirmations never release it at once. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('owned_numbers').addColumn('release_job', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('owned_numbers').dropColumn('release_job').execute();
}
