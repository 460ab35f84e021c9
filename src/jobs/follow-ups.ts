import { backoffDelay } from '../http/client.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { JobRecord, Store } from '../store/types.js';
import { describeJobError, type FollowUpChannels, type JobDefinition, type JobFinish, type QueueTuning } from './types.js';

/** A follow-up is tried this many times (with backoff, about a day in all at the default base), then given up and logged. */
const maxFollowUpAttempts = 12;

const noChannels: FollowUpChannels = {
  audit: () => Promise.reject(new Error('This queue was made without an audit trail')),
  directMessage: () => Promise.reject(new Error('This queue was made without Slack')),
};

/**
 * A finished job's follow-up (its direct messages, audit line, form update), delivered at least
 * once: each effect once, a failed follow-up tried again with backoff until it is given up.
 */
export class FollowUpDelivery {
  constructor(
    private readonly store: Store,
    private readonly tuning: QueueTuning,
    private readonly logger: Logger,
    private readonly options: { workerId: string; metrics?: Metrics; channels?: FollowUpChannels; wakeAt: (at: number) => void },
  ) {}

  /**
   * Delivers a finished job's follow-up, leased to this worker since the outcome was recorded. When
   * it fails (or this process dies first), it stays pending and a worker delivers it again later,
   * skipping the effects already delivered.
   */
  async deliver(definition: JobDefinition, job: JobRecord, outcome: JobFinish['outcome'], deliveredInline: boolean): Promise<void> {
    if (!definition.onFinished) return;
    try {
      const once = (effect: string, send: () => Promise<unknown>) => this.once(job.id, effect, send);
      const channels = this.options.channels ?? noChannels;
      await definition.onFinished({
        job,
        payload: job.payload,
        outcome,
        deliveredInline,
        once,
        audit: (entry, options) => once('audit', () => channels.audit(entry, options)),
        tell: (workspaceKey, userId, message) => once(`dm:${userId}`, () => channels.directMessage(workspaceKey, userId, message)),
      });
      await this.store.jobs.followUpDone(job.id, this.options.workerId);
      this.options.metrics?.jobRuns.inc({ kind: job.kind, outcome: 'followed-up' });
    } catch (error) {
      const attempts = job.followUpAttempts + 1;
      const retryAt =
        attempts >= maxFollowUpAttempts ? undefined : Date.now() + backoffDelay(attempts, this.tuning.retryBaseMs, this.tuning.maxRetryDelayMs ?? 15 * 60_000);
      await this.store.jobs
        .followUpFailed(job.id, this.options.workerId, describeJobError(error), retryAt)
        .catch((storeError: unknown) =>
          this.logger.warn({ err: storeError, jobId: job.id }, 'could not record a failed follow-up; it is delivered again when its lease ends'),
        );
      if (retryAt === undefined) this.logger.error({ err: error, jobId: job.id, kind: job.kind }, 'job follow-up given up');
      else {
        this.logger.warn({ err: error, jobId: job.id, kind: job.kind, retryInMs: retryAt - Date.now() }, 'job follow-up failed; will try again');
        this.options.wakeAt(retryAt);
      }
    }
  }

  private async once(jobId: string, effect: string, send: () => Promise<unknown>): Promise<void> {
    if (await this.store.jobs.effectDone(jobId, effect)) return;
    if ((await send()) === false) throw new Error(`The follow-up's ${effect} was not delivered`);
    await this.store.jobs.recordEffect(jobId, effect);
  }
}
