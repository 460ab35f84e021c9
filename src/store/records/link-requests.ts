import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../util/ids.js';
import { camelCased, changedAny, takeFirst } from '../engine.js';
import type { Database, LinkRequestsTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

export type LinkRequestStatus = 'pending' | 'approved' | 'denied';

/** A person asking to be linked to a subscriber whose email is not theirs: an admin decides. */
export interface LinkRequest {
  id: string;
  workspaceKey: WorkspaceKey;
  userId: string;
  subscriberId: string;
  status: LinkRequestStatus;
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
}

export interface LinkRequestRecords {
  /** A pending request; asking again for the same subscriber returns the one already waiting. */
  ask(request: { workspaceKey: WorkspaceKey; userId: string; subscriberId: string }, now?: number): Promise<LinkRequest>;
  get(id: string): Promise<LinkRequest | undefined>;
  /** Decides a pending request; undefined when it was decided already. */
  decide(id: string, status: 'approved' | 'denied', decidedBy: string, now?: number): Promise<LinkRequest | undefined>;
  pending(workspaceKey: WorkspaceKey, limit: number): Promise<LinkRequest[]>;
}

function toRequest(row: Selectable<LinkRequestsTable>): LinkRequest {
  return { ...camelCased(row), status: row.status as LinkRequestStatus };
}

export function linkRequestRecords(db: Kysely<Database>): LinkRequestRecords {
  return {
    async ask({ workspaceKey, userId, subscriberId }, now = Date.now()) {
      const request = { workspace_key: workspaceKey, user_id: userId, subscriber_id: subscriberId, status: 'pending' } as const;
      const waiting = await db
        .selectFrom('link_requests')
        .selectAll()
        .where((eb) => eb.and(request))
        .executeTakeFirst();
      if (waiting) return toRequest(waiting);
      const row = await db
        .insertInto('link_requests')
        .values({ id: newId(now), ...request, requested_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRequest(row);
    },

    get: (id) => takeFirst(db.selectFrom('link_requests').selectAll().where('id', '=', id), toRequest),

    async decide(id, status, decidedBy, now = Date.now()) {
      const decided = await changedAny(
        db.updateTable('link_requests').set({ status, decided_by: decidedBy, decided_at: now }).where('id', '=', id).where('status', '=', 'pending'),
      );
      return decided ? this.get(id) : undefined;
    },

    async pending(workspaceKey, limit) {
      const rows = await db
        .selectFrom('link_requests')
        .selectAll()
        .where('workspace_key', '=', workspaceKey)
        .where('status', '=', 'pending')
        .orderBy('requested_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toRequest);
    },
  };
}
