import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool, Updateable } from 'kysely';
import { newId } from '../../util/ids.js';
import { camelCased, changed, changedAny, type Engine, takeFirst } from '../engine.js';
import type { Database, FollowUpStatus, JobStatus, JobsTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

export type { JobStatus } from '../schema.js';

export interface JobRecord {
  id: string;
  kind: string;
  workspaceKey: WorkspaceKey | null;
  dedupeKey: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
  result: unknown;
  requestedBy: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** The follow-up of a finished job: pending until delivered. */
  followUp: FollowUpStatus | null;
  followUpAttempts: number;
}

export interface NewJob {
  kind: string;
  dedupeKey: string;
  payload: unknown;
  maxAttempts: number;
  workspaceKey?: WorkspaceKey;
  requestedBy?: string;
  runAt?: number;
}

export interface JobRecords {
  /** Inserts unless a job with the same dedupe key exists; returns the job either way. */
  enqueue(job: NewJob, now?: number): Promise<{ job: JobRecord; created: boolean }>;
  /** Claims the next due job (or one whose lease ran out); no two workers get the same job. */
  claimNext(workerId: string, leaseMs: number, now?: number): Promise<JobRecord | undefined>;
  /** Claims this job now, whatever its schedule, unless it is finished or leased by a live worker. */
  claim(id: string, workerId: string, leaseMs: number, now?: number): Promise<JobRecord | undefined>;
  extendLease(id: string, workerId: string, leaseMs: number, now?: number): Promise<boolean>;
  /**
   * Records the result. With `followUp`, the follow-up is recorded as pending in the same write, and
   * leased to this worker for `followUp.leaseMs` so it can deliver it at once.
   */
  complete(id: string, workerId: string, result: unknown, followUp?: { leaseMs: number }, now?: number): Promise<boolean>;
  /** Schedules another attempt at `retryAt`, or marks the job dead when `retryAt` is undefined (with its follow-up pending, as `complete`). */
  fail(id: string, workerId: string, error: string, retryAt: number | undefined, followUp?: { leaseMs: number }, now?: number): Promise<boolean>;
  /** Leases the next follow-up that is due and not leased (a worker died delivering it, or it is to be retried). */
  claimFollowUp(workerId: string, leaseMs: number, now?: number): Promise<JobRecord | undefined>;
  /** The follow-up was delivered. */
  followUpDone(id: string, workerId: string, now?: number): Promise<boolean>;
  /** The follow-up failed: tried again at `retryAt`, or given up when it is undefined. */
  followUpFailed(id: string, workerId: string, error: string, retryAt: number | undefined, now?: number): Promise<boolean>;
  /** Whether an effect of a job's follow-up was delivered already. */
  effectDone(jobId: string, effect: string): Promise<boolean>;
  recordEffect(jobId: string, effect: string, now?: number): Promise<void>;
  /** A dead job gets a fresh set of attempts. */
  revive(id: string, now?: number): Promise<boolean>;
  get(id: string): Promise<JobRecord | undefined>;
  findByDedupeKey(dedupeKey: string): Promise<JobRecord | undefined>;
  list(filter: { statuses?: JobStatus[]; workspaceKey?: WorkspaceKey; kinds?: string[]; limit: number }): Promise<JobRecord[]>;
  countByStatus(): Promise<Record<JobStatus, number>>;
  pruneFinished(before: number): Promise<number>;
}

export function toJob({ follow_up_at, follow_up_error, ...row }: Selectable<JobsTable>): JobRecord {
  return { ...camelCased(row), payload: JSON.parse(row.payload), result: row.result === null ? null : JSON.parse(row.result) };
}

/**
 * Inserts a job unless one with its dedupe key exists (then undefined). Exported for records that
 * store a job in the same transaction as the decision it carries out.
 */
export async function insertJob(db: Kysely<Database>, job: NewJob, now: number): Promise<JobRecord | undefined> {
  const inserted = await db
    .insertInto('jobs')
    .values({
      id: newId(now),
      kind: job.kind,
      workspace_key: job.workspaceKey ?? null,
      dedupe_key: job.dedupeKey,
      payload: JSON.stringify(job.payload),
      status: 'pending',
      attempts: 0,
      follow_up_attempts: 0,
      max_attempts: job.maxAttempts,
      run_at: job.runAt ?? now,
      requested_by: job.requestedBy ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted && toJob(inserted);
}

type JobConditions = ExpressionBuilder<Database, 'jobs'>;
/** Running, but its lease ran out: its worker died. */
const abandoned = (eb: JobConditions, now: number) => eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]);
/** Pending and due, or abandoned. */
const due = (eb: JobConditions, now: number) => eb.or([eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]), abandoned(eb, now)]);
/** A follow-up waiting for delivery that no live worker is delivering. */
const undelivered = (eb: JobConditions, now: number) =>
  eb.and([eb('follow_up', '=', 'pending'), eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)])]);
const followUpDue = (eb: JobConditions, now: number) => eb.and([undelivered(eb, now), eb('follow_up_at', '<=', now)]);

export function jobRecords(engine: Engine): JobRecords {
  const { db } = engine;
  /** Another attempt of the job, leased to the worker. */
  const startAttempt = (workerId: string, leaseMs: number, now: number) =>
    db
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', locked_by: workerId, locked_until: now + leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }));
  /** The first job by `order` that matches and no other transaction holds: PostgreSQL skips those rows, SQLite serialises writers. */
  const firstFree = (match: (eb: JobConditions, now: number) => Expression<SqlBool>, now: number, order: 'run_at' | 'follow_up_at') => (eb: JobConditions) => {
    const first = eb
      .selectFrom('jobs')
      .select('id')
      .where((where) => match(where, now))
      .orderBy(order)
      .limit(1);
    return engine.skipLockedRows ? first.forUpdate().skipLocked() : first;
  };
  /** Updates of a job the worker holds, running or delivering its follow-up: false when it no longer does. */
  const heldBy = (id: string, workerId: string) => db.updateTable('jobs').where('id', '=', id).where('locked_by', '=', workerId);
  const running = (id: string, workerId: string) => heldBy(id, workerId).where('status', '=', 'running');
  const followingUp = (id: string, workerId: string) => heldBy(id, workerId).where('follow_up', '=', 'pending');
  /** Ends the worker's attempt. A follow-up is put in place in the same write, leased to the worker so it can deliver it at once. */
  const finish = (id: string, workerId: string, outcome: Updateable<JobsTable>, followUp: { leaseMs: number } | undefined, now: number) =>
    changedAny(
      running(id, workerId).set({
        ...outcome,
        ...(followUp
          ? { follow_up: 'pending' as const, follow_up_at: now, locked_by: workerId, locked_until: now + followUp.leaseMs }
          : { locked_by: null, locked_until: null }),
        updated_at: now,
      }),
    );

  const records: JobRecords = {
    async enqueue(job, now = Date.now()) {
      const inserted = await insertJob(db, job, now);
      if (inserted) return { job: inserted, created: true };
      const existing = await records.findByDedupeKey(job.dedupeKey);
      if (!existing) throw new Error(`Job ${job.dedupeKey} conflicted but cannot be found`);
      return { job: existing, created: false };
    },

    claimNext: (workerId, leaseMs, now = Date.now()) =>
      takeFirst(
        startAttempt(workerId, leaseMs, now)
          .where('id', '=', firstFree(due, now, 'run_at'))
          .returningAll(),
        toJob,
      ),

    claim: (id, workerId, leaseMs, now = Date.now()) =>
      takeFirst(
        startAttempt(workerId, leaseMs, now)
          .where('id', '=', id)
          .where((eb) => eb.or([eb('status', '=', 'pending'), abandoned(eb, now)]))
          .returningAll(),
        toJob,
      ),

    extendLease: (id, workerId, leaseMs, now = Date.now()) => changedAny(running(id, workerId).set({ locked_until: now + leaseMs, updated_at: now })),

    complete: (id, workerId, result, followUp, now = Date.now()) =>
      finish(id, workerId, { status: 'done', result: JSON.stringify(result ?? null), last_error: null, finished_at: now }, followUp, now),

    fail(id, workerId, error, retryAt, followUp, now = Date.now()) {
      const dead = retryAt === undefined;
      const outcome = { status: dead ? 'dead' : 'pending', run_at: retryAt ?? now, last_error: error.slice(0, 2000), finished_at: dead ? now : null } as const;
      return finish(id, workerId, outcome, dead ? followUp : undefined, now);
    },

    claimFollowUp: (workerId, leaseMs, now = Date.now()) =>
      takeFirst(
        db
          .updateTable('jobs')
          .set({ locked_by: workerId, locked_until: now + leaseMs, updated_at: now })
          .where('id', '=', firstFree(followUpDue, now, 'follow_up_at'))
          .where((eb) => undelivered(eb, now))
          .returningAll(),
        toJob,
      ),

    followUpDone: (id, workerId, now = Date.now()) =>
      changedAny(followingUp(id, workerId).set({ follow_up: 'done', follow_up_error: null, locked_by: null, locked_until: null, updated_at: now })),

    followUpFailed: (id, workerId, error, retryAt, now = Date.now()) =>
      changedAny(
        followingUp(id, workerId).set((eb) => ({
          follow_up: retryAt === undefined ? 'given-up' : 'pending',
          follow_up_at: retryAt ?? now,
          follow_up_attempts: eb('follow_up_attempts', '+', 1),
          follow_up_error: error.slice(0, 2000),
          locked_by: null,
          locked_until: null,
          updated_at: now,
        })),
      ),

    async effectDone(jobId, effect) {
      const row = await db.selectFrom('follow_up_effects').select('done_at').where('job_id', '=', jobId).where('effect', '=', effect).executeTakeFirst();
      return row !== undefined;
    },

    async recordEffect(jobId, effect, now = Date.now()) {
      await db
        .insertInto('follow_up_effects')
        .values({ job_id: jobId, effect, done_at: now })
        .onConflict((conflict) => conflict.columns(['job_id', 'effect']).doNothing())
        .execute();
    },

    revive: (id, now = Date.now()) =>
      changedAny(
        db
          .updateTable('jobs')
          .set({ status: 'pending', attempts: 0, run_at: now, updated_at: now, finished_at: null })
          .where('id', '=', id)
          .where('status', '=', 'dead'),
      ),

    get: (id) => takeFirst(db.selectFrom('jobs').selectAll().where('id', '=', id), toJob),

    findByDedupeKey: (dedupeKey) => takeFirst(db.selectFrom('jobs').selectAll().where('dedupe_key', '=', dedupeKey), toJob),

    async list({ statuses, workspaceKey, kinds, limit }) {
      let query = db.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
      if (statuses?.length) query = query.where('status', 'in', statuses);
      if (kinds?.length) query = query.where('kind', 'in', kinds);
      if (workspaceKey !== undefined) query = query.where('workspace_key', '=', workspaceKey);
      return (await query.execute()).map(toJob);
    },

    async countByStatus() {
      const rows = await db
        .selectFrom('jobs')
        .select(['status', db.fn.countAll<number>().as('count')])
        .groupBy('status')
        .execute();
      const counts: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, dead: 0 };
      for (const row of rows) counts[row.status] = Number(row.count);
      return counts;
    },

    async pruneFinished(before) {
      // A job whose follow-up is still to be delivered stays, and so do its recorded effects.
      const pruned = await changed(
        db
          .deleteFrom('jobs')
          .where('status', '=', 'done')
          .where('finished_at', '<', before)
          .where((eb) => eb.or([eb('follow_up', 'is', null), eb('follow_up', '!=', 'pending')])),
      );
      await db
        .deleteFrom('follow_up_effects')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.id', '=', 'follow_up_effects.job_id'))))
        .execute();
      return pruned;
    },
  };
  return records;
}
