import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

/** Subscribers Switchboard made in Novu for a tenant: they are that tenant's, and no other's to route. */
export interface TenantSubscriberRecords {
  /** Records the tenant as the subscriber's owner; the first owner stands. */
  claim(subscriberId: string, workspaceKey: WorkspaceKey, now?: number): Promise<void>;
  /** The tenant a subscriber was made for, if Switchboard made it. */
  owner(subscriberId: string): Promise<WorkspaceKey | undefined>;
}

export function tenantSubscriberRecords(db: Kysely<Database>): TenantSubscriberRecords {
  return {
    async claim(subscriberId, workspaceKey, now = Date.now()) {
      await db
        .insertInto('tenant_subscribers')
        .values({ subscriber_id: subscriberId, workspace_key: workspaceKey, created_at: now })
        .onConflict((conflict) => conflict.column('subscriber_id').doNothing())
        .execute();
    },

    async owner(subscriberId) {
      const row = await db.selectFrom('tenant_subscribers').select('workspace_key').where('subscriber_id', '=', subscriberId).executeTakeFirst();
      return row?.workspace_key;
    },
  };
}
