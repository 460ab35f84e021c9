import type { Kysely, Selectable } from 'kysely';
import { changed } from '../engine.js';
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

function toNumber(row: Selectable<OwnedNumbersTable>): OwnedNumber {
  return {
    backend: row.backend as NumberBackend,
    vendorId: row.vendor_id,
    workspaceKey: row.workspace_key,
    number: row.number,
    sipUri: row.sip_uri,
    name: row.name,
    status: row.status,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function ownedNumberRecords(db: Kysely<Database>): OwnedNumberRecords {
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

    async find(backend, vendorId) {
      const row = await db.selectFrom('owned_numbers').selectAll().where('backend', '=', backend).where('vendor_id', '=', vendorId).executeTakeFirst();
      return row ? toNumber(row) : undefined;
    },

    async list({ workspaceKey, backend, limit }) {
      let query = db.selectFrom('owned_numbers').selectAll().orderBy('created_at', 'desc').limit(limit);
      if (workspaceKey !== undefined) query = query.where('workspace_key', '=', workspaceKey);
      if (backend) query = query.where('backend', '=', backend);
      return (await query.execute()).map(toNumber);
    },

    async setStatus(backend, vendorId, status, now = Date.now()) {
      const result = await db
        .updateTable('owned_numbers')
        .set({ status, updated_at: now })
        .where('backend', '=', backend)
        .where('vendor_id', '=', vendorId)
        .executeTakeFirst();
      return changed(result) > 0;
    },

    async claimRelease(backend, vendorId, jobId) {
      const result = await db
        .updateTable('owned_numbers')
        .set({ release_job: jobId })
        .where('backend', '=', backend)
        .where('vendor_id', '=', vendorId)
        .where((eb) => eb.or([eb('release_job', 'is', null), eb('release_job', '=', jobId)]))
        .executeTakeFirst();
      return changed(result) > 0;
    },

    async dropReleaseClaim(backend, vendorId, jobId) {
      await db
        .updateTable('owned_numbers')
        .set({ release_job: null })
        .where('backend', '=', backend)
        .where('vendor_id', '=', vendorId)
        .where('release_job', '=', jobId)
        .execute();
    },

    async remove(backend, vendorId) {
      return changed(await db.deleteFrom('owned_numbers').where('backend', '=', backend).where('vendor_id', '=', vendorId).executeTakeFirst()) > 0;
    },
  };
}
