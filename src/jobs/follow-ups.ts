import { backoffDelay } from '../http/client.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { JobRecord, Store } from '../store/types.js';
import type { AfterTheAnswer } from './one-path.js';
import { describeJobError, type FollowUpChannels, type JobDefinition, type JobFinish, type QueueTuning } from './types.js';

/** A follow-up is tried this many times (with backoff, about a day in all at the default base), then given up and logged. */
const maxFollowUpAttempts = 12;

const noChannels: FollowUpChannels = {
  audit: () => Promise.reject(new Error('This queue was made without an audit trail')),
  directMessage: () => Promise.reject(new Error('This queue was made without Slack')),
};

/**
 * Whether a person waiting inline took the outcome (their listener shows it, so the follow-up
 * tells them nothing); `whenShown` when that listener answers a person in Slack.
 */
export interface InlineDelivery {
  deliveredInline: boolean;
  whenShown?: AfterTheAnswer;
}

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
   * skipping the effects already delivered. When a person waiting in Slack took the outcome, the
   * follow-up is complete only once their listener has shown it: a process that dies in between
   * leaves it pending, and it is delivered again as if nobody had waited (by direct message).
   */
  async deliver(definition: JobDefinition, job: JobRecord, outcome: JobFinish['outcome'], inline: InlineDelivery): Promise<void> {
    if (!definition.onFinished) return;
    try {
      const once = (effect: string, send: () => Promise<unknown>) => this.once(job.id, effect, send);
      const channels = this.options.channels ?? noChannels;
      await definition.onFinished({
        job,
        payload: job.payload,
        outcome,
        deliveredInline: inline.deliveredInline,
        once,
        audit: (entry, options) => once('audit', () => channels.audit(entry, options)),
        tell: (workspaceKey, userId, message) => once(`dm:${userId}`, () => channels.directMessage(workspaceKey, userId, message)),
      });
      const complete = async () => {
        await this.store.jobs.followUpDone(job.id, this.options.workerId);
        this.options.metrics?.jobRuns.inc({ kind: job.kind, outcome: 'followed-up' });
      };
      if (inline.deliveredInline && inline.whenShown) inline.whenShown(complete);
      else await complete();
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
