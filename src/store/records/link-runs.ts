import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../util/ids.js';
import { changed } from '../engine.js';
import type { Database, LinkRunItemsTable, LinkRunsTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

/**
 * "Link everyone by email": `planning` (the dry run is reading members), `planned` (waiting for the
 * admin to confirm), `linking` (a job per member is writing), then `done`; or `cancelled`/`failed`.
 */
export type LinkRunStatus = 'planning' | 'planned' | 'linking' | 'done' | 'cancelled' | 'failed';

/** One member's verdict in the dry run, then what linking did. */
export type LinkItemState = 'matched' | 'unmatched' | 'conflict' | 'already-linked' | 'linked' | 'failed';

export const linkItemStates: readonly LinkItemState[] = ['matched', 'unmatched', 'conflict', 'already-linked', 'linked', 'failed'];

export interface LinkRun {
  id: string;
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  status: LinkRunStatus;
  channelId: string | null;
  messageTs: string | null;
  /** Members read so far by the dry run. */
  membersSeen: number;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface LinkItem {
  userId: string;
  subscriberId: string | null;
  state: LinkItemState;
  detail: string | null;
}

export type LinkCounts = Record<LinkItemState, number>;

export interface LinkRunRecords {
  create(run: { workspaceKey: WorkspaceKey; requestedBy: string }, now?: number): Promise<LinkRun>;
  get(id: string): Promise<LinkRun | undefined>;
  /** The tenant's newest run. */
  latest(workspaceKey: WorkspaceKey): Promise<LinkRun | undefined>;
  /** Moves the run to `to` only from one of `from`; false when it was elsewhere (someone else moved it). */
  transition(id: string, from: readonly LinkRunStatus[], to: LinkRunStatus, error?: string, now?: number): Promise<boolean>;
  setMessage(id: string, channelId: string, messageTs: string): Promise<void>;
  setMembersSeen(id: string, count: number): Promise<void>;
  /** The dry run's verdicts, replacing any earlier ones of this run. */
  saveItems(id: string, items: LinkItem[]): Promise<void>;
  item(id: string, userId: string): Promise<LinkItem | undefined>;
  /** Members in `state`, by user id, `limit` after `afterUserId`. */
  items(id: string, filter: { states: readonly LinkItemState[]; afterUserId?: string; limit: number }): Promise<LinkItem[]>;
  /** Records what linking did for a member; false when the member was not waiting (`matched`). */
  settleItem(id: string, userId: string, state: 'linked' | 'failed', detail?: string): Promise<boolean>;
  counts(id: string): Promise<LinkCounts>;
  /** True (and noted) when no progress was reported for `minIntervalMs`: one report at a time, not too often. */
  claimReport(id: string, minIntervalMs: number, now?: number): Promise<boolean>;
}

function toRun(row: Selectable<LinkRunsTable>): LinkRun {
  return {
    id: row.id,
    workspaceKey: row.workspace_key,
    requestedBy: row.requested_by,
    status: row.status as LinkRunStatus,
    channelId: row.channel_id,
    messageTs: row.message_ts,
    membersSeen: Number(row.members_seen),
    error: row.error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toItem(row: Selectable<LinkRunItemsTable>): LinkItem {
  return { userId: row.user_id, subscriberId: row.subscriber_id, state: row.state as LinkItemState, detail: row.detail };
}

export function linkRunRecords(db: Kysely<Database>): LinkRunRecords {
  return {
    async create({ workspaceKey, requestedBy }, now = Date.now()) {
      const row = await db
        .insertInto('link_runs')
        .values({
          id: newId(now),
          workspace_key: workspaceKey,
          requested_by: requestedBy,
          status: 'planning',
          channel_id: null,
          message_ts: null,
          members_seen: 0,
          error: null,
          reported_at: 0,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRun(row);
    },

    async get(id) {
      const row = await db.selectFrom('link_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRun(row) : undefined;
    },

    async latest(workspaceKey) {
      const row = await db
        .selectFrom('link_runs')
        .selectAll()
        .where('workspace_key', '=', workspaceKey)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toRun(row) : undefined;
    },

    async transition(id, from, to, error, now = Date.now()) {
      const result = await db
        .updateTable('link_runs')
        .set({ status: to, updated_at: now, ...(error !== undefined ? { error } : {}) })
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return changed(result) > 0;
    },

    async setMessage(id, channelId, messageTs) {
      await db.updateTable('link_runs').set({ channel_id: channelId, message_ts: messageTs }).where('id', '=', id).execute();
    },

    async setMembersSeen(id, count) {
      await db.updateTable('link_runs').set({ members_seen: count }).where('id', '=', id).execute();
    },

    async saveItems(id, items) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('link_run_items').where('run_id', '=', id).execute();
        // Bounded batches: both engines cap the number of bound parameters in one statement.
        for (let start = 0; start < items.length; start += 200) {
          const batch = items.slice(start, start + 200);
          await trx
            .insertInto('link_run_items')
            .values(batch.map((item) => ({ run_id: id, user_id: item.userId, subscriber_id: item.subscriberId, state: item.state, detail: item.detail })))
            .execute();
        }
      });
    },

    async item(id, userId) {
      const row = await db.selectFrom('link_run_items').selectAll().where('run_id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return row ? toItem(row) : undefined;
    },

    async items(id, { states, afterUserId, limit }) {
      let query = db
        .selectFrom('link_run_items')
        .selectAll()
        .where('run_id', '=', id)
        .where('state', 'in', [...states])
        .orderBy('user_id')
        .limit(limit);
      if (afterUserId !== undefined) query = query.where('user_id', '>', afterUserId);
      return (await query.execute()).map(toItem);
    },

    async settleItem(id, userId, state, detail) {
      const result = await db
        .updateTable('link_run_items')
        .set({ state, detail: detail ?? null })
        .where('run_id', '=', id)
        .where('user_id', '=', userId)
        .where('state', '=', 'matched')
        .executeTakeFirst();
      return changed(result) > 0;
    },

    async counts(id) {
      const rows = await db
        .selectFrom('link_run_items')
        .select(['state', db.fn.countAll<number | string>().as('count')])
        .where('run_id', '=', id)
        .groupBy('state')
        .execute();
      const counts = Object.fromEntries(linkItemStates.map((state) => [state, 0])) as LinkCounts;
      for (const row of rows) if (row.state in counts) counts[row.state as LinkItemState] = Number(row.count);
      return counts;
    },

    async claimReport(id, minIntervalMs, now = Date.now()) {
      const result = await db
        .updateTable('link_runs')
        .set({ reported_at: now })
        .where('id', '=', id)
        .where('reported_at', '<=', now - minIntervalMs)
        .executeTakeFirst();
      return changed(result) > 0;
    },
  };
}
