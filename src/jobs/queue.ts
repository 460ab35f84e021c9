import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type RetryMode } from '../http/client.js';
import { BackendError } from '../http/errors.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { JobRecord, NewJob, Store, WorkspaceKey } from '../store/types.js';
import { FollowUpDelivery, type InlineDelivery } from './follow-ups.js';
import { type AfterTheAnswer, afterTheAnswer, apartFromTheRequest, assertStoredThenTold, storingTheRequest } from './one-path.js';
import type { Accepted, EnqueueOptions, FollowUpChannels, JobDefinition, JobFinish, JobOutcome, QueueTuning, Telling } from './types.js';
import { describeJobError, finishedOutcome, notStoredText, TerminalJobError } from './types.js';

export * from './types.js';

/**
 * The durable outbox for backend writes. A write is first recorded as a job (one per user intent,
 * by dedupe key), then run inline while a person waits, or by the background worker with backoff.
 * Claims are atomic in the store, so a job never runs twice at once, here or on another replica.
 */
export class JobQueue {
  readonly workerId = `worker-${randomBytes(4).toString('hex')}`;
  private readonly definitions = new Map<string, JobDefinition<any, any>>();
  /** Jobs and follow-ups running here, by job id (a follow-up's as `follow-up:<id>`). */
  private readonly running = new Map<string, Promise<unknown>>();
  /** People waiting inline for a job; whoever finishes the job first decides if they got the outcome. */
  private readonly inlineWaiters = new Map<string, { active: boolean; delivered: boolean; afterwards?: AfterTheAnswer }>();
  private readonly followUps: FollowUpDelivery;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly tuning: QueueTuning,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
    channels?: FollowUpChannels,
  ) {
    this.followUps = new FollowUpDelivery(store, tuning, logger, { workerId: this.workerId, metrics, channels, wakeAt: (at) => this.wakeAt(at) });
  }

  define<P, R>(definition: JobDefinition<P, R>): void {
    if (this.definitions.has(definition.kind)) throw new Error(`The job kind ${definition.kind} is defined twice`);
    this.definitions.set(definition.kind, definition as JobDefinition<any, any>);
  }

  /** A job kind in words ("register a phone in Novu"); the kind itself when no definition has it. */
  describe(kind: string): string {
    return this.definitions.get(kind)?.describe ?? kind;
  }

  async enqueue(kind: string, payload: object, options: EnqueueOptions): Promise<{ job: JobRecord; created: boolean }> {
    if (!this.definitions.has(kind)) throw new Error(`No job definition for ${kind}`);
    assertStoredThenTold(kind);
    const { workspaceKey, requestedBy } = payload as Pick<EnqueueOptions, 'workspaceKey' | 'requestedBy'>;
    const result = await this.store.jobs.enqueue({ kind, payload, maxAttempts: this.tuning.maxAttempts, workspaceKey, requestedBy, ...options });
    if (result.created) this.logger.info({ jobId: result.job.id, kind }, 'job queued');
    this.wake?.();
    return result;
  }

  /**
   * Stores a job (once per dedupe key) for a person waiting in Slack, to be run here by `run` at
   * once. The worker leaves it alone for a lease's length, so it cannot grab it first; if this
   * process dies, the worker takes it then.
   */
  async accept<R>(kind: string, payload: { workspaceKey?: WorkspaceKey; requestedBy?: string }, dedupeKey: string): Promise<Accepted<R>> {
    const { job } = await this.enqueue(kind, payload, this.draft(kind, payload, dedupeKey));
    return this.adopt<R>(job);
  }

  /**
   * The job `accept` stores, for a record that stores it itself, in the same transaction as the
   * decision the job carries out (an approval never stands without its job); `adopt` then runs it.
   */
  draft<P extends { workspaceKey?: WorkspaceKey; requestedBy?: string }>(kind: string, payload: P, dedupeKey: string): NewJob {
    if (!this.definitions.has(kind)) throw new Error(`No job definition for ${kind}`);
    assertStoredThenTold(kind);
    const { workspaceKey, requestedBy } = payload;
    return { kind, payload, dedupeKey, workspaceKey, requestedBy, maxAttempts: this.tuning.maxAttempts, runAt: Date.now() + this.tuning.leaseMs };
  }

  /** A job stored for a person waiting (by `accept` or a record's transaction), to be run here by `run`. */
  adopt<R>(job: JobRecord): Accepted<R> {
    this.wake?.();
    return { job, run: (wait) => this.runNow<R>(job.id, { waitMs: wait?.waitMs ?? this.tuning.inlineWaitMs ?? 6_000, inlineRetries: wait?.inlineRetries }) };
  }

  /**
   * The one order for whatever a person asks for: what they asked is stored first, and only then
   * are they told it is under way (`stored`). When the store does not take it within the
   * acknowledgement's budget (or fails), they are told that instead (`notStored`), and undefined is
   * returned. A store that answers after the budget still keeps the request; it runs later, once,
   * which the words say.
   */
  async storedThenTold<T>(store: () => Promise<T>, tell: Telling<T>): Promise<T | undefined> {
    const budgetMs = this.tuning.acceptBudgetMs ?? 1_500;
    const storing = storingTheRequest(store);
    const stored = storing.then((value) => ({ value })).catch((error: unknown) => ({ error }));
    const answer = await Promise.race([stored, sleep(budgetMs, 'late' as const, { ref: false })]);
    if (answer === 'late' || 'error' in answer) {
      if (answer === 'late') storing.catch((error: unknown) => this.logger.warn({ err: error }, 'a request stored too late failed to store'));
      this.logger.warn({ err: answer === 'late' ? undefined : answer.error, budgetMs }, 'a request was not stored in time; the person is told so');
      await tell.notStored(notStoredText);
      return undefined;
    }
    await tell.stored?.(answer.value);
    return answer.value;
  }

  /**
   * Runs the job now and waits up to `waitMs` for its outcome. Past that, or when it must be retried,
   * the job carries on in the background and `queued` is returned.
   */
  async runNow<R>(jobId: string, { waitMs, inlineRetries = true }: { waitMs: number; inlineRetries?: boolean }): Promise<JobOutcome<R>> {
    const deadline = Date.now() + waitMs;
    const claimed = await this.store.jobs.claim(jobId, this.workerId, this.tuning.leaseMs);
    if (!claimed) return (await this.waitForFinish(jobId, deadline)) as JobOutcome<R>;
    // A person waiting in Slack: the job's follow-up is complete once the listener has shown them the outcome.
    const waiter = { active: true, delivered: false, afterwards: afterTheAnswer() };
    this.inlineWaiters.set(jobId, waiter);
    try {
      const mode: { retry: RetryMode; deadlineMs?: number } = inlineRetries ? { retry: 'safe', deadlineMs: waitMs } : { retry: 'none' };
      const execution = this.track(
        jobId,
        apartFromTheRequest(() => this.attempt(claimed, mode)),
      );
      const remainingMs = Math.max(0, deadline - Date.now());
      const outcome = await new Promise<JobOutcome | undefined>((resolve) => {
        const timer = setTimeout(() => {
          // Once the job has handed its outcome to this waiter, the waiter must take it.
          if (waiter.delivered) return;
          waiter.active = false;
          resolve(undefined);
        }, remainingMs);
        void execution.then(resolve, () => resolve(undefined)).finally(() => clearTimeout(timer));
      });
      return (outcome ?? { status: 'queued', job: claimed }) as JobOutcome<R>;
    } finally {
      if (this.inlineWaiters.get(jobId) === waiter) this.inlineWaiters.delete(jobId);
    }
  }

  /** Another request (or replica) holds the job: report its outcome if it finishes in time. */
  private async waitForFinish(jobId: string, deadline: number): Promise<JobOutcome> {
    for (;;) {
      const job = await this.store.jobs.get(jobId);
      if (!job) throw new Error(`Job ${jobId} does not exist`);
      const outcome = finishedOutcome(job);
      if (outcome) return { ...outcome, job };
      if (Date.now() >= deadline) return { status: 'queued', job, lastError: job.lastError ?? undefined };
      await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
    }
  }

  async revive(jobId: string): Promise<boolean> {
    const revived = await this.store.jobs.revive(jobId);
    if (revived) this.wake?.();
    return revived;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.work();
  }

  /** Stops claiming new jobs and waits for the ones running here to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    await Promise.allSettled(this.running.values());
  }

  private async work(): Promise<void> {
    const pollMs = this.tuning.pollMs ?? 1000;
    const concurrency = this.tuning.concurrency ?? 8;
    while (!this.stopping) {
      if (this.running.size >= concurrency) {
        await Promise.race(this.running.values());
        continue;
      }
      const claimed = await this.store.jobs.claimNext(this.workerId, this.tuning.leaseMs).catch((error: unknown) => {
        this.logger.error({ err: error }, 'could not claim a job');
      });
      if (claimed) {
        void this.track(claimed.id, this.attempt(claimed, { retry: 'safe' }));
        continue;
      }
      const followedUp = await this.followUpNext().catch((error: unknown) => this.logger.error({ err: error }, 'could not claim a follow-up'));
      if (followedUp) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Kept in `running` until it settles: the worker's concurrency, and what `stop` waits for. */
  private track<T>(key: string, work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => this.running.delete(key));
    this.running.set(key, tracked);
    return tracked;
  }

  private async attempt(job: JobRecord, mode: { retry: RetryMode; deadlineMs?: number }): Promise<JobOutcome> {
    const definition = this.definitions.get(job.kind);
    const log = this.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    const beatMs = Math.max(250, Math.floor(this.tuning.leaseMs / 3));
    const heartbeat = setInterval(() => {
      this.store.jobs.extendLease(job.id, this.workerId, this.tuning.leaseMs).catch((error) => log.warn({ err: error }, 'could not extend job lease'));
    }, beatMs).unref();
    const followUp = definition?.onFinished ? { leaseMs: this.tuning.leaseMs } : undefined;
    try {
      if (!definition) throw new TerminalJobError(`Unknown job kind ${job.kind}`);
      const runId = `${job.id}.${job.attempts}.${randomBytes(4).toString('hex')}`;
      const result = await definition.run(job.payload, { job, attempt: job.attempts, runId, logger: log, ...mode });
      const recorded = await this.store.jobs.complete(job.id, this.workerId, result, followUp);
      if (!recorded) log.warn('job finished after its lease was taken over; the result was not recorded');
      this.metrics?.jobRuns.inc({ kind: job.kind, outcome: 'done' });
      log.info('job done');
      const finished = { ...job, status: 'done' as const, result };
      const waiter = this.handOverInline(job.id);
      if (recorded) await this.followUps.deliver(definition, finished, { status: 'done', result }, waiter);
      return { status: 'done', result, job: finished };
    } catch (error) {
      const description = definition?.describeError?.(error) ?? describeJobError(error);
      const retryAt = this.retryAt(job, error);
      const recorded = await this.store.jobs.fail(job.id, this.workerId, description, retryAt, followUp);
      const failedJob = { ...job, lastError: description };
      if (retryAt !== undefined) {
        this.metrics?.jobRuns.inc({ kind: job.kind, outcome: 'retry' });
        log.warn({ err: error, retryInMs: retryAt - Date.now() }, 'job attempt failed; will retry');
        this.wakeAt(retryAt);
        return { status: 'queued', job: { ...failedJob, status: 'pending', runAt: retryAt }, lastError: description };
      }
      this.metrics?.jobRuns.inc({ kind: job.kind, outcome: 'dead' });
      log.error({ err: error }, 'job failed for good');
      const dead = { ...failedJob, status: 'dead' as const };
      const waiter = this.handOverInline(job.id);
      if (definition && recorded) await this.followUps.deliver(definition, dead, { status: 'failed', error: description }, waiter);
      return { status: 'failed', error: description, job: dead };
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** When a person is still waiting inline, they get this outcome from now on (and, in a listener, when it will have been shown). */
  private handOverInline(jobId: string): InlineDelivery {
    const waiter = this.inlineWaiters.get(jobId);
    if (!waiter?.active) return { deliveredInline: false };
    waiter.delivered = true;
    return { deliveredInline: true, whenShown: waiter.afterwards };
  }

  private retryAt(job: JobRecord, error: unknown): number | undefined {
    const terminal = error instanceof TerminalJobError || (error instanceof BackendError && !error.retryable);
    if (terminal || job.attempts >= job.maxAttempts) return undefined;
    const delay = backoffDelay(job.attempts, this.tuning.retryBaseMs, this.tuning.maxRetryDelayMs ?? 15 * 60_000);
    const vendorDelay = error instanceof BackendError ? (error.failure.retryAfterMs ?? 0) : 0;
    return Date.now() + Math.max(delay, vendorDelay);
  }

  private wakeAt(at: number): void {
    setTimeout(() => this.wake?.(), Math.max(0, at - Date.now()) + 5).unref();
  }

  private async followUpNext(): Promise<boolean> {
    const job = await this.store.jobs.claimFollowUp(this.workerId, this.tuning.leaseMs);
    if (!job) return false;
    const definition = this.definitions.get(job.kind);
    if (!definition) {
      await this.store.jobs.followUpFailed(job.id, this.workerId, `Unknown job kind ${job.kind}`, undefined);
      return true;
    }
    const outcome: JobFinish['outcome'] =
      job.status === 'done' ? { status: 'done', result: job.result } : { status: 'failed', error: job.lastError ?? 'failed' };
    void this.track(`follow-up:${job.id}`, this.followUps.deliver(definition, job, outcome, { deliveredInline: false }));
    return true;
  }
}
