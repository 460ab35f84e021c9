import type { RetryMode } from '../http/client.js';
import type { Logger } from '../logging/logger.js';
import type { SlackMessage } from '../slack/bot-clients.js';
import type { JobRecord, NewAuditEntry, WorkspaceKey } from '../store/types.js';

/** Thrown by a job to stop retrying: the failure will not go away by itself. */
export class TerminalJobError extends Error {
  override name = 'TerminalJobError';
}

/** Who asked for a job, in which workspace: a payload that carries them is queued and audited under them. */
export interface Requester {
  workspaceKey: WorkspaceKey;
  requestedBy: string;
}

export interface JobRunContext {
  job: JobRecord;
  /** 1 for the first attempt (a job retried by hand starts again at 1). */
  attempt: number;
  /** Unique to this run of the job: writes keyed by it never meet an earlier run's stored answer. */
  runId: string;
  /** Inline runs (a person is waiting) retry quickly within their deadline; queued runs leave retries to the queue. */
  retry: RetryMode;
  deadlineMs?: number;
  logger: Logger;
}

export type JobOutcome<R = unknown> =
  | { status: 'done'; result: R; job: JobRecord }
  | { status: 'failed'; error: string; job: JobRecord }
  /** Still being tried, in the background: the person is told the result later. */
  | { status: 'queued'; job: JobRecord; lastError?: string };

export interface JobFinish<R = unknown, P = unknown> {
  job: JobRecord;
  /** The job's payload, as its definition reads it. */
  payload: P;
  outcome: { status: 'done'; result: R } | { status: 'failed'; error: string };
  /** True when someone waiting inline already received this outcome (never on a follow-up delivered again). */
  deliveredInline: boolean;
  /**
   * Delivers one effect of the follow-up (a DM to one person, the audit line, a form update) once:
   * an effect delivered by an earlier try of this follow-up is skipped. `send` answering `false`
   * (a DM Slack did not take) or throwing fails the follow-up, which is tried again later.
   */
  once(effect: string, send: () => Promise<unknown>): Promise<void>;
  /** The audit line, once. */
  audit(entry: NewAuditEntry, options?: { toChannel?: boolean }): Promise<void>;
  /** A direct message to one person, once per person. */
  tell(workspaceKey: WorkspaceKey, userId: string, message: SlackMessage): Promise<void>;
}

/**
 * The audit fields every job's follow-up writes alike: who asked, in which workspace, how it ended
 * (`not-found` when what was to be removed was gone already), and why it failed.
 */
export function finishAudit(payload: { workspaceKey: WorkspaceKey; requestedBy?: string }, outcome: JobFinish<object>['outcome']) {
  return {
    outcome: outcome.status === 'failed' ? 'failed' : 'alreadyGone' in outcome.result && outcome.result.alreadyGone ? 'not-found' : 'ok',
    workspaceKey: payload.workspaceKey,
    userId: payload.requestedBy,
    error: outcome.status === 'failed' ? outcome.error : undefined,
  } satisfies Partial<NewAuditEntry>;
}

/** A finished job's outcome, read from its record; undefined while the job is still to run. */
export function finishedOutcome<R>(job: JobRecord): JobFinish<R>['outcome'] | undefined {
  if (job.status === 'done') return { status: 'done', result: job.result as R };
  if (job.status === 'dead') return { status: 'failed', error: job.lastError ?? 'failed' };
  return undefined;
}

/** Where a follow-up's usual effects go: the audit trail, and people's direct messages. */
export interface FollowUpChannels {
  audit(entry: NewAuditEntry, options?: { toChannel?: boolean }): Promise<unknown>;
  directMessage(workspaceKey: WorkspaceKey, userId: string, message: SlackMessage): Promise<boolean>;
}

export interface JobDefinition<P = unknown, R = unknown> {
  kind: string;
  /** What the job does, after "could not": "register a phone in Novu". */
  describe?: string;
  run(payload: P, context: JobRunContext): Promise<R>;
  /**
   * The follow-up, when the job succeeds or gives up: tell the people involved, write the audit
   * log. Recorded as pending with the outcome and delivered at least once; each effect goes through
   * `once`, so a follow-up delivered again (after a crash, or a failed effect) repeats none.
   */
  onFinished?(finish: JobFinish<R, P>): Promise<void>;
  /** Plain words for a failure, shown to people and kept in the job record. */
  describeError?(error: unknown): string;
}

export interface EnqueueOptions {
  dedupeKey: string;
  /** These two default to the payload's own `workspaceKey` and `requestedBy`. */
  workspaceKey?: WorkspaceKey;
  requestedBy?: string;
  runAt?: number;
}

/** A job stored for a person waiting: `run` runs it here (the worker leaves it alone for a lease). */
export interface Accepted<R> {
  job: JobRecord;
  /** How long the person waits (default `inlineWaitMs`), and whether the inline run retries within it (default yes). */
  run(wait?: { waitMs?: number; inlineRetries?: boolean }): Promise<JobOutcome<R>>;
}

/** How a person is told about what they asked for, once it is stored, or that it could not be. */
export interface Telling<T> {
  /** Absent when there is nothing to say until the request has run. */
  stored?(value: T): Promise<unknown>;
  notStored(text: string): Promise<unknown>;
}

/** Said when the store did not take a request within the acknowledgement's budget. */
export const notStoredText =
  'Switchboard could not save this in time (its database did not answer), so it may not have started. Try again in a moment: a request sent twice is done once.';

export interface QueueTuning {
  maxAttempts: number;
  retryBaseMs: number;
  leaseMs: number;
  maxRetryDelayMs?: number;
  pollMs?: number;
  /** How long a person in Slack waits for a job run on their behalf before hearing "still working" (default 6 s). */
  inlineWaitMs?: number;
  /** Jobs the background worker runs at once in this process (default 8): a bulk run must not flood a vendor. */
  concurrency?: number;
  /** How long storing a person's request may take before they are answered that it was not stored (default 1.5 s; Slack waits 3 s in all). */
  acceptBudgetMs?: number;
}

export function describeJobError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
