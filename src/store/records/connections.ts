import type { Kysely, Selectable } from 'kysely';
import { camelCased, changedAny, takeFirst } from '../engine.js';
import type { ConnectionsTable, Database } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

/**
 * - `pending`: a write is on its way (install, setup, reconnect);
 * - `connected`: Novu confirmed the last write;
 * - `failed`: the last write failed for good (the connection Novu holds, if any, is the one recorded);
 * - `disconnecting`: a delete is on its way; the record goes when Novu confirms it.
 */
export type ConnectionState = 'connected' | 'pending' | 'failed' | 'disconnecting';

/** How a connection is scoped in Novu: fixed for a connection's life. */
export interface ConnectionScope {
  integrationIdentifier: string;
  mode: 'shared' | 'subscriber';
  context: Record<string, string> | null;
  subscriberId: string | null;
}

/** The Novu channel connection of a tenant, as Switchboard last wrote it. */
export interface ConnectionRecord extends ConnectionScope {
  workspaceKey: WorkspaceKey;
  identifier: string;
  state: ConnectionState;
  lastError: string | null;
  syncedAt: number | null;
  /**
   * The latest intent for this connection (an install, a setup, a disconnect, an uninstall…). A job
   * carries the intent it was queued for; when the record names a newer one, the job does nothing.
   * The same intent twice (a double submit, a Slack retry) is still one intent.
   */
  intent: string;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectionRecords {
  find(workspaceKey: WorkspaceKey): Promise<ConnectionRecord | undefined>;
  /** Every tenant's connection (operators' views), optionally of one integration. */
  list(filter?: { integrationIdentifier?: string }): Promise<ConnectionRecord[]>;
  /**
   * Starts a change: records `intent` as the latest and sets `state`. Without a record, one is made
   * from `initial` (a first install). Returns the record as it is now.
   */
  beginChange(
    workspaceKey: WorkspaceKey,
    intent: string,
    state: ConnectionState,
    initial: { identifier: string } & ConnectionScope,
    now?: number,
  ): Promise<ConnectionRecord>;
  /** Records what Novu confirmed, unless a newer intent took over. False when superseded. */
  recordSynced(workspaceKey: WorkspaceKey, intent: string, actual: { identifier: string } & ConnectionScope, now?: number): Promise<boolean>;
  /** Records how a write ended, unless a newer intent took over (when `intent` is given). */
  markState(workspaceKey: WorkspaceKey, state: ConnectionState, error: string | null, intent?: string, now?: number): Promise<boolean>;
  /** Deletes the record if `intent` is still the latest: a newer intent (a reinstall) keeps its own. */
  removeAt(workspaceKey: WorkspaceKey, intent: string): Promise<boolean>;
  delete(workspaceKey: WorkspaceKey): Promise<ConnectionRecord | undefined>;
}

function toConnection({ connection_mode, ...row }: Selectable<ConnectionsTable>): ConnectionRecord {
  return {
    ...camelCased(row),
    mode: connection_mode === 'subscriber' ? 'subscriber' : 'shared',
    context: row.context === null ? null : (JSON.parse(row.context) as Record<string, string>),
    state: row.state as ConnectionState,
  };
}

function scopeColumns(scope: { identifier: string } & ConnectionScope) {
  return {
    identifier: scope.identifier,
    integration_identifier: scope.integrationIdentifier,
    connection_mode: scope.mode,
    context: scope.context && Object.keys(scope.context).length > 0 ? JSON.stringify(scope.context) : null,
    subscriber_id: scope.subscriberId,
  };
}

export function connectionRecords(db: Kysely<Database>): ConnectionRecords {
  return {
    find: (workspaceKey) => takeFirst(db.selectFrom('connections').selectAll().where('workspace_key', '=', workspaceKey), toConnection),

    async list(filter = {}) {
      let query = db.selectFrom('connections').selectAll().orderBy('workspace_key');
      if (filter.integrationIdentifier) query = query.where('integration_identifier', '=', filter.integrationIdentifier);
      return (await query.execute()).map(toConnection);
    },

    async beginChange(workspaceKey, intent, state, initial, now = Date.now()) {
      const row = await db
        .insertInto('connections')
        .values({
          workspace_key: workspaceKey,
          ...scopeColumns(initial),
          state,
          intent,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) => conflict.column('workspace_key').doUpdateSet({ state, intent, updated_at: now }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toConnection(row);
    },

    recordSynced: (workspaceKey, intent, actual, now = Date.now()) =>
      changedAny(
        db
          .updateTable('connections')
          .set({ ...scopeColumns(actual), state: 'connected', last_error: null, synced_at: now, updated_at: now })
          .where('workspace_key', '=', workspaceKey)
          .where('intent', '=', intent),
      ),

    async markState(workspaceKey, state, error, intent, now = Date.now()) {
      let query = db
        .updateTable('connections')
        .set({ state, last_error: error?.slice(0, 2000) ?? null, updated_at: now, ...(state === 'connected' ? { synced_at: now } : {}) })
        .where('workspace_key', '=', workspaceKey);
      if (intent !== undefined) query = query.where('intent', '=', intent);
      return changedAny(query);
    },

    removeAt: (workspaceKey, intent) => changedAny(db.deleteFrom('connections').where('workspace_key', '=', workspaceKey).where('intent', '=', intent)),

    delete: (workspaceKey) => takeFirst(db.deleteFrom('connections').where('workspace_key', '=', workspaceKey).returningAll(), toConnection),
  };
}
