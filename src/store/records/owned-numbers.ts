import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { camelCased, changedAny, takeFirst } from '../engine.js';
import type { Database, OwnedNumbersTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

export type NumberBackend = 'vapi' | 'signalwire';

/** A phone number Switchboard provisioned on Vapi or SignalWire, and the tenant it belongs to. */
export interface OwnedNumber {
  backend: NumberBackend;
  vendorId: string;
  workspaceKey: WorkspaceKey;
  /** E.164, when the number has one (a SIP URI has none). */
  number: string | null;
  sipUri: string | null;
  name: string | null;
  status: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface OwnedNumberRecords {
  /** Records a number; the same vendor id again only refreshes what the vendor said about it. */
  add(number: Omit<OwnedNumber, 'createdAt' | 'updatedAt'>, now?: number): Promise<OwnedNumber>;
  find(backend: NumberBackend, vendorId: string): Promise<OwnedNumber | undefined>;
  /** Newest first. Without `workspaceKey`, every tenant's (operators' views). */
  list(filter: { workspaceKey?: WorkspaceKey; backend?: NumberBackend; limit: number }): Promise<OwnedNumber[]>;
  /** What the vendor now says of the number's state (`active`, `blocked`…); false when it is not recorded. */
  setStatus(backend: NumberBackend, vendorId: string, status: string, now?: number): Promise<boolean>;
  remove(backend: NumberBackend, vendorId: string): Promise<boolean>;
  /** Marks the number as being released by `jobId`; false when another job holds it (or it is not recorded). */
  claimRelease(backend: NumberBackend, vendorId: string, jobId: string): Promise<boolean>;
  /** Lets go of a claim `jobId` holds: its release ended without releasing. */
  dropReleaseClaim(backend: NumberBackend, vendorId: string, jobId: string): Promise<void>;
}

function toNumber({ release_job, ...row }: Selectable<OwnedNumbersTable>): OwnedNumber {
  return { ...camelCased(row), backend: row.backend as NumberBackend };
}

export function ownedNumberRecords(db: Kysely<Database>): OwnedNumberRecords {
  /** A vendor id is unique per backend. */
  const byId = (backend: NumberBackend, vendorId: string) => (eb: ExpressionBuilder<Database, 'owned_numbers'>) => eb.and({ backend, vendor_id: vendorId });
  const update = (backend: NumberBackend, vendorId: string) => db.updateTable('owned_numbers').where(byId(backend, vendorId));
  return {
    async add(number, now = Date.now()) {
      const row = await db
        .insertInto('owned_numbers')
        .values({
          backend: number.backend,
          vendor_id: number.vendorId,
          workspace_key: number.workspaceKey,
          number: number.number,
          sip_uri: number.sipUri,
          name: number.name,
          status: number.status,
          created_by: number.createdBy,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['backend', 'vendor_id'])
            .doUpdateSet({ number: number.number, sip_uri: number.sipUri, name: number.name, status: number.status, updated_at: now }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toNumber(row);
    },

    find: (backend, vendorId) => takeFirst(db.selectFrom('owned_numbers').selectAll().where(byId(backend, vendorId)), toNumber),

    async list({ workspaceKey, backend, limit }) {
      let query = db.selectFrom('owned_numbers').selectAll().orderBy('created_at', 'desc').limit(limit);
      if (workspaceKey !== undefined) query = query.where('workspace_key', '=', workspaceKey);
      if (backend) query = query.where('backend', '=', backend);
      return (await query.execute()).map(toNumber);
    },

    setStatus: (backend, vendorId, status, now = Date.now()) => changedAny(update(backend, vendorId).set({ status, updated_at: now })),

    claimRelease: (backend, vendorId, jobId) =>
      changedAny(
        update(backend, vendorId)
          .set({ release_job: jobId })
          .where((eb) => eb.or([eb('release_job', 'is', null), eb('release_job', '=', jobId)])),
      ),

    async dropReleaseClaim(backend, vendorId, jobId) {
      await update(backend, vendorId).set({ release_job: null }).where('release_job', '=', jobId).execute();
    },

    remove: (backend, vendorId) => changedAny(db.deleteFrom('owned_numbers').where(byId(backend, vendorId))),
  };
}
