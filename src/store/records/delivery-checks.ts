import type { Kysely } from 'kysely';
import { camelCased, takeFirst } from '../engine.js';
import type { Database } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

/** A tenant's latest delivery check, kept so the App Home can show it without asking Novu. */
export interface StoredDeliveryCheck<R = unknown> {
  workspaceKey: WorkspaceKey;
  requestedBy: string | null;
  checkedAt: number;
  report: R;
}

export interface DeliveryCheckRecords {
  /** Replaces the tenant's latest check. */
  save(check: StoredDeliveryCheck): Promise<void>;
  latest(workspaceKey: WorkspaceKey): Promise<StoredDeliveryCheck | undefined>;
  delete(workspaceKey: WorkspaceKey): Promise<void>;
}

export function deliveryCheckRecords(db: Kysely<Database>): DeliveryCheckRecords {
  return {
    async save(check) {
      const values = {
        workspace_key: check.workspaceKey,
        requested_by: check.requestedBy,
        checked_at: check.checkedAt,
        report: JSON.stringify(check.report),
      };
      await db
        .insertInto('delivery_checks')
        .values(values)
        .onConflict((conflict) =>
          conflict.column('workspace_key').doUpdateSet({ requested_by: values.requested_by, checked_at: values.checked_at, report: values.report }),
        )
        .execute();
    },

    latest: (workspaceKey) =>
      takeFirst(db.selectFrom('delivery_checks').selectAll().where('workspace_key', '=', workspaceKey), (row) => ({
        ...camelCased(row),
        report: JSON.parse(row.report) as unknown,
      })),

    async delete(workspaceKey) {
      await db.deleteFrom('delivery_checks').where('workspace_key', '=', workspaceKey).execute();
    },
  };
}
