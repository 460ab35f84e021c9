import type { Kysely, Selectable } from 'kysely';
import { camelCased, changedAny, takeFirst } from '../engine.js';
import type { Database, OwnedEndpointsTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

export type OwnedEndpointType = 'phone' | 'slack_channel' | 'slack_user';

/** A Novu channel endpoint Switchboard created, and the tenant it belongs to. */
export interface OwnedEndpoint {
  identifier: string;
  workspaceKey: WorkspaceKey;
  type: OwnedEndpointType;
  subscriberId: string;
  integrationIdentifier: string;
  connectionIdentifier: string | null;
  /** What it delivers to: an E.164 number, a channel id or a user id. */
  target: string;
  createdBy: string;
  createdAt: number;
  /** The Novu context keys (`type:id`, sorted) it was written with; null when written before Switchboard kept them. */
  contextKeys: string[] | null;
}

/** Where a page of endpoints ends; the next page starts after it. */
export interface EndpointCursor {
  createdAt: number;
  identifier: string;
}

export interface OwnedEndpointRecords {
  /** Records an endpoint; a second record with the same identifier is ignored (the first one stands). */
  add(endpoint: Omit<OwnedEndpoint, 'createdAt'>, now?: number): Promise<OwnedEndpoint>;
  /** Records that the endpoint now carries another scope (it was written again in Novu under the same identifier). */
  rescope(identifier: string, scope: Pick<OwnedEndpoint, 'contextKeys' | 'integrationIdentifier' | 'connectionIdentifier'>): Promise<boolean>;
  find(identifier: string): Promise<OwnedEndpoint | undefined>;
  remove(identifier: string): Promise<boolean>;
  /** Tenants with endpoints recorded before their context was kept (the first `limit`). */
  tenantsWithUnknownScope(limit: number): Promise<WorkspaceKey[]>;
  /** How many a tenant has, by type. */
  countByType(workspaceKey: WorkspaceKey): Promise<Record<OwnedEndpointType, number>>;
  /** Newest first. Without `workspaceKey`, every tenant's (operators' views). */
  page(filter: {
    workspaceKey?: WorkspaceKey;
    types?: OwnedEndpointType[];
    subscriberId?: string;
    connectionIdentifier?: string;
    /** What it delivers to (a number, channel or user id). */
    target?: string;
    after?: EndpointCursor;
    limit: number;
  }): Promise<OwnedEndpoint[]>;
}

function toEndpoint(row: Selectable<OwnedEndpointsTable>): OwnedEndpoint {
  return {
    ...camelCased(row),
    type: row.type as OwnedEndpointType,
    contextKeys: row.context_keys === null ? null : (JSON.parse(row.context_keys) as string[]),
  };
}

const keysColumn = (keys: string[] | null) => (keys === null ? null : JSON.stringify([...keys].sort()));

export function ownedEndpointRecords(db: Kysely<Database>): OwnedEndpointRecords {
  return {
    async add(endpoint, now = Date.now()) {
      await db
        .insertInto('owned_endpoints')
        .values({
          identifier: endpoint.identifier,
          workspace_key: endpoint.workspaceKey,
          type: endpoint.type,
          subscriber_id: endpoint.subscriberId,
          integration_identifier: endpoint.integrationIdentifier,
          connection_identifier: endpoint.connectionIdentifier,
          target: endpoint.target,
          created_by: endpoint.createdBy,
          created_at: now,
          context_keys: keysColumn(endpoint.contextKeys),
        })
        .onConflict((conflict) => conflict.column('identifier').doNothing())
        .execute();
      const stored = await this.find(endpoint.identifier);
      if (!stored) throw new Error(`Endpoint record ${endpoint.identifier} vanished while being saved`);
      return stored;
    },

    find: (identifier) => takeFirst(db.selectFrom('owned_endpoints').selectAll().where('identifier', '=', identifier), toEndpoint),

    rescope: (identifier, scope) =>
      changedAny(
        db
          .updateTable('owned_endpoints')
          .set({
            context_keys: keysColumn(scope.contextKeys),
            integration_identifier: scope.integrationIdentifier,
            connection_identifier: scope.connectionIdentifier,
          })
          .where('identifier', '=', identifier),
      ),

    remove: (identifier) => changedAny(db.deleteFrom('owned_endpoints').where('identifier', '=', identifier)),

    async tenantsWithUnknownScope(limit) {
      const rows = await db.selectFrom('owned_endpoints').select('workspace_key').distinct().where('context_keys', 'is', null).limit(limit).execute();
      return rows.map((row) => row.workspace_key);
    },

    async countByType(workspaceKey) {
      const rows = await db
        .selectFrom('owned_endpoints')
        .select(['type', (eb) => eb.fn.countAll<number | string>().as('count')])
        .where('workspace_key', '=', workspaceKey)
        .groupBy('type')
        .execute();
      const counts: Record<OwnedEndpointType, number> = { phone: 0, slack_channel: 0, slack_user: 0 };
      for (const row of rows) counts[row.type as OwnedEndpointType] = Number(row.count);
      return counts;
    },

    async page({ workspaceKey, types, subscriberId, connectionIdentifier, target, after, limit }) {
      let query = db.selectFrom('owned_endpoints').selectAll().orderBy('created_at', 'desc').orderBy('identifier', 'desc').limit(limit);
      if (workspaceKey !== undefined) query = query.where('workspace_key', '=', workspaceKey);
      if (types?.length) query = query.where('type', 'in', types);
      if (subscriberId !== undefined) query = query.where('subscriber_id', '=', subscriberId);
      if (connectionIdentifier !== undefined) query = query.where('connection_identifier', '=', connectionIdentifier);
      if (target !== undefined) query = query.where('target', '=', target);
      if (after) {
        query = query.where((eb) =>
          eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('identifier', '<', after.identifier)])]),
        );
      }
      return (await query.execute()).map(toEndpoint);
    },
  };
}
