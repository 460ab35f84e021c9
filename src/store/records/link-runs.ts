import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../schema.js';
import { type BulkKind, type BulkRunBase, type BulkRunRecords, bulkRunRecords, type ItemCounts } from './bulk-runs.js';

/**
 * "Link everyone by email": `planning` (the dry run is reading members), `planned` (waiting for the
 * admin to confirm), `linking` (a job per member is writing), then `done`; or `cancelled`/`failed`.
 */
export type LinkRunStatus = 'planning' | 'planned' | 'linking' | 'done' | 'cancelled' | 'failed';

/** One member's verdict in the dry run, then what linking did. */
export const linkItemStates = ['matched', 'unmatched', 'conflict', 'already-linked', 'linked', 'failed'] as const;

export interface LinkRun extends BulkRunBase<LinkRunStatus> {
  /** Members read so far by the dry run. */
  membersSeen: number;
}

const linkItem = z.object({
  userId: z.string(),
  subscriberId: z.string().nullable(),
  state: z.enum(linkItemStates),
  detail: z.string().nullable(),
});
export type LinkItem = z.infer<typeof linkItem>;
export type LinkCounts = ItemCounts<LinkItem>;

const linkFields = z.object({ membersSeen: z.number().default(0) });

export const linkRunKind: BulkKind<LinkRun, z.input<typeof linkFields>, LinkItem> = {
  name: 'link-everyone',
  statuses: { planning: 'planning', planned: 'planned', applying: 'linking', done: 'done', cancelled: 'cancelled', failed: 'failed' },
  fields: linkFields,
  item: linkItem,
  states: linkItemStates,
  waiting: 'matched',
  failed: 'failed',
  key: (item) => item.userId,
};

export type LinkRunRecords = BulkRunRecords<LinkRun, z.input<typeof linkFields>, LinkItem>;

export const linkRunRecords = (db: Kysely<Database>): LinkRunRecords => bulkRunRecords(db, linkRunKind);
