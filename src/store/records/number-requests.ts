import type { Kysely, Selectable } from 'kysely';
import { camelCased, changed, changedAny, takeFirst } from '../engine.js';
import type { Database, NumberRequestsTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';
import { insertJob, type JobRecord, type NewJob, toJob } from './jobs.js';
import type { NumberBackend } from './owned-numbers.js';

export type NumberRequestStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** Someone who may ask but not provision wants a paid number: an operator approves or denies it, once. */
export interface NumberRequest {
  id: string;
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  backend: NumberBackend;
  /** The exact vendor request, as the feature stored it (any secret in it sealed). */
  payload: unknown;
  status: NumberRequestStatus;
  requestedAt: number;
  expiresAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  /** An approved request's provisioning job, once recorded (absent before, and on requests not read from the store). */
  provisionJobId?: string;
}

export interface NewNumberRequest {
  /** Chosen by the caller: a secret in the payload may be sealed to it before it is stored. */
  id: string;
  /** The form submission (a digest, of no secret: a SIP password is left out); the same one again finds the first request. */
  submission: string;
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  backend: NumberBackend;
  payload: unknown;
  expiresAt: number;
}

export interface NumberRequestRecords {
  /** Records a pending request; a second submission of the same form returns the first request, `created: false`. */
  create(request: NewNumberRequest, now?: number): Promise<{ request: NumberRequest; created: boolean }>;
  get(id: string): Promise<NumberRequest | undefined>;
  /** Decides a request that is pending and not expired; undefined when it was decided already, expired, or never existed. */
  decide(id: string, status: 'approved' | 'denied', decidedBy: string, now?: number): Promise<NumberRequest | undefined>;
  /** Marks a pending request past its expiry as expired; undefined when it is not one (in time still, or decided). */
  expire(id: string, now?: number): Promise<NumberRequest | undefined>;
  /** Pending and in time, newest first. Without `workspaceKey`, every tenant's (operators' views). */
  pending(filter: { workspaceKey?: WorkspaceKey; limit: number }, now?: number): Promise<NumberRequest[]>;
  /**
   * Approves a request that is pending and not expired, and stores its provisioning job in the same
   * transaction: an approval never stands without its job. Undefined (and no job) when it was
   * decided already, expired, or never existed.
   */
  approve(id: string, decidedBy: string, job: NewJob, now?: number): Promise<{ request: NumberRequest; job: JobRecord } | undefined>;
  /**
   * Retention: deletes requests settled (approved, denied or expired) before `before`, and pending
   * ones whose expiry passed before it; returns how many.
   */
  pruneSettledBefore(before: number): Promise<number>;
}

function toRequest({ submission, provision_job_id, ...row }: Selectable<NumberRequestsTable>): NumberRequest {
  return {
    ...camelCased(row),
    backend: row.backend as NumberBackend,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status as NumberRequestStatus,
    ...(provision_job_id === null ? {} : { provisionJobId: provision_job_id }),
  };
}

export function numberRequestRecords(db: Kysely<Database>): NumberRequestRecords {
  const pendingRequest = (trx: Kysely<Database>, id: string) => trx.updateTable('number_requests').where('id', '=', id).where('status', '=', 'pending');
  /** Decides a request that is pending and in time; false when it is not one. */
  const decideInTime = (trx: Kysely<Database>, id: string, status: 'approved' | 'denied', decidedBy: string, now: number) =>
    changedAny(pendingRequest(trx, id).where('expires_at', '>', now).set({ status, decided_by: decidedBy, decided_at: now }));

  return {
    async create(request, now = Date.now()) {
      const inserted = await db
        .insertInto('number_requests')
        .values({
          id: request.id,
          submission: request.submission,
          workspace_key: request.workspaceKey,
          requested_by: request.requestedBy,
          backend: request.backend,
          payload: JSON.stringify(request.payload),
          status: 'pending',
          requested_at: now,
          expires_at: request.expiresAt,
        })
        .onConflict((conflict) => conflict.column('submission').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { request: toRequest(inserted), created: true };
      const first = await db.selectFrom('number_requests').selectAll().where('submission', '=', request.submission).executeTakeFirst();
      if (!first) throw new Error(`Number request ${request.submission} conflicted but cannot be found`);
      return { request: toRequest(first), created: false };
    },

    get: (id) => takeFirst(db.selectFrom('number_requests').selectAll().where('id', '=', id), toRequest),

    async decide(id, status, decidedBy, now = Date.now()) {
      return (await decideInTime(db, id, status, decidedBy, now)) ? this.get(id) : undefined;
    },

    async expire(id, now = Date.now()) {
      const expired = await changedAny(pendingRequest(db, id).where('expires_at', '<=', now).set({ status: 'expired', decided_at: now }));
      return expired ? this.get(id) : undefined;
    },

    async pending({ workspaceKey, limit }, now = Date.now()) {
      let query = db
        .selectFrom('number_requests')
        .selectAll()
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .orderBy('requested_at', 'desc')
        .limit(limit);
      if (workspaceKey !== undefined) query = query.where('workspace_key', '=', workspaceKey);
      return (await query.execute()).map(toRequest);
    },

    async approve(id, decidedBy, job, now = Date.now()) {
      const stored = await db.transaction().execute(async (trx) => {
        if (!(await decideInTime(trx, id, 'approved', decidedBy, now))) return undefined;
        const inserted = await insertJob(trx, job, now);
        const jobId = inserted?.id ?? (await trx.selectFrom('jobs').select('id').where('dedupe_key', '=', job.dedupeKey).executeTakeFirstOrThrow()).id;
        await trx.updateTable('number_requests').set({ provision_job_id: jobId }).where('id', '=', id).execute();
        return jobId;
      });
      if (stored === undefined) return undefined;
      const [request, record] = await Promise.all([this.get(id), db.selectFrom('jobs').selectAll().where('id', '=', stored).executeTakeFirst()]);
      if (!request || !record) throw new Error(`Approved request ${id} or its job ${stored} cannot be found`);
      return { request, job: toJob(record) };
    },

    pruneSettledBefore: (before) =>
      changed(
        db
          .deleteFrom('number_requests')
          .where((row) =>
            row.or([
              row.and([row('status', 'in', ['approved', 'denied', 'expired']), row('decided_at', '<', before)]),
              row.and([row('status', '=', 'pending'), row('expires_at', '<', before)]),
            ]),
          ),
      ),
  };
}
