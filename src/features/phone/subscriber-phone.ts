import type { NovuClient } from '../../backends/novu/client.js';
import { finishAudit, type JobDefinition, type JobFinish, type JobRunContext, type Requester, TerminalJobError } from '../../jobs/queue.js';
import { section } from '../../slack/blocks.js';
import { code, md } from '../../slack/mrkdwn.js';
import { type Replies, type Reply, type ReplyTo, replyOf } from '../../slack/replies.js';
import type { PhoneDeps } from '../deps.js';
import { failureDetails, failureSentence } from '../failure-messages.js';
import { asNovuJobError, describeNovuFailure } from '../novu-failures.js';

/**
 * Novu's SMS step never reads phone endpoints: it sends to `payload.phone`, else to the
 * subscriber's own `phone` (send-message-sms.usecase.ts). So a number registered on an SMS
 * integration becomes the subscriber's phone too — when the subscriber has none. One the
 * subscriber already has is never replaced without asking: the person sees it and confirms.
 */
export type PhoneOutcome =
  /** The number is now the subscriber's phone. */
  | { kind: 'set' }
  /** It already was. */
  | { kind: 'same' }
  /** The subscriber has another phone, kept until someone confirms the replacement. */
  | { kind: 'kept'; current: string };

export interface SetPhonePayload extends Requester {
  /** The phone endpoint whose number becomes the subscriber's phone. */
  identifier: string;
  /** The phone the person saw (null: none): replaced only if Novu still has it. */
  expected: string | null;
  replyTo: ReplyTo;
}

export interface SetPhoneResult {
  subscriberId: string;
  phone: string;
  previous: string | null;
}

export const setPhoneJob = 'novu.subscriber.phone';

export class SubscriberPhones {
  constructor(
    private readonly services: PhoneDeps,
    private readonly novu: NovuClient,
    private readonly replies: Replies,
  ) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: setPhoneJob,
        describe: 'set a subscriber’s phone in Novu',
        run: (payload, context) => this.replace(payload, context),
        onFinished: (finish) => this.afterReplace(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<SetPhonePayload, SetPhoneResult>,
    ];
  }

  /** Whether Novu's SMS steps use this integration: then registering a number also sets the subscriber's phone. */
  async isSms(integrationIdentifier: string): Promise<boolean> {
    const integrations = await fromNovu(this.services.integrations?.list() ?? Promise.resolve([]));
    return integrations.some((integration) => integration.identifier === integrationIdentifier && integration.channel === 'sms');
  }

  /** After a registration on an SMS integration: the number becomes the subscriber's phone if it has none. */
  async afterRegistration(subscriberId: string, e164: string, context: Pick<JobRunContext, 'runId' | 'deadlineMs'>): Promise<PhoneOutcome> {
    const current = (await fromNovu(this.novu.getSubscriber(subscriberId))).phone ?? null;
    if (current === e164) return { kind: 'same' };
    if (current) return { kind: 'kept', current };
    await fromNovu(this.novu.updateSubscriberPhone(subscriberId, e164, { idempotencyKey: `${context.runId}.phone`, deadlineMs: context.deadlineMs }));
    return { kind: 'set' };
  }

  async enqueueReplace(payload: SetPhonePayload, intent: string): Promise<void> {
    await this.services.queue.enqueue(setPhoneJob, payload, {
      dedupeKey: `${setPhoneJob}:${payload.identifier}:${intent}`,
    });
  }

  /** Replaces the subscriber's phone with the endpoint's number, only if Novu still has the phone the person saw. */
  private async replace(payload: SetPhonePayload, context: JobRunContext): Promise<SetPhoneResult> {
    const record = await this.services.store.endpoints.find(payload.identifier);
    const mayChange = record && (record.workspaceKey === payload.workspaceKey || this.services.permissions.isOperator(payload.requestedBy));
    if (!record || !mayChange || record.type !== 'phone') throw new TerminalJobError('There is no such phone endpoint in this workspace.');
    const current = (await fromNovu(this.novu.getSubscriber(record.subscriberId))).phone ?? null;
    const result = { subscriberId: record.subscriberId, phone: record.target, previous: current };
    if (current === record.target) return result;
    if (current !== payload.expected) {
      throw new TerminalJobError(
        `${record.subscriberId}’s phone in Novu is now ${current ?? 'empty'}, not what you saw (${payload.expected ?? 'empty'}), so nothing was replaced. Look again with /connect check.`,
      );
    }
    await fromNovu(this.novu.updateSubscriberPhone(record.subscriberId, record.target, { idempotencyKey: context.runId, deadlineMs: context.deadlineMs }));
    return result;
  }

  private async afterReplace({ payload, outcome, once, audit }: JobFinish<SetPhoneResult, SetPhonePayload>): Promise<void> {
    await audit({
      action: 'subscriber.phone',
      ...finishAudit(payload, outcome),
      target: outcome.status === 'done' ? outcome.result.subscriberId : payload.identifier,
      backend: 'novu',
      detail: outcome.status === 'done' ? { phone: outcome.result.phone, previous: outcome.result.previous, endpoint: payload.identifier } : undefined,
    });
    await once('reply', () => this.replies.send(payload.workspaceKey, payload.requestedBy, payload.replyTo, phoneReplacedReply(outcome)));
  }
}

/** Novu's answer; a failure as the job queue understands it (terminal or retried). */
const fromNovu = <T>(call: Promise<T>): Promise<T> => call.catch((error: unknown) => Promise.reject(asNovuJobError(error)));

function phoneReplacedReply(outcome: JobFinish<SetPhoneResult>['outcome']): Reply {
  const text =
    outcome.status === 'failed'
      ? md`:x: The subscriber’s phone was not changed: ${failureSentence(outcome.error)}`
      : md`:white_check_mark: ${code(outcome.result.phone)} is now ${code(outcome.result.subscriberId)}’s phone in Novu${outcome.result.previous ? md` (it was ${code(outcome.result.previous)})` : ''}: Novu’s SMS steps send there.`;
  return replyOf('Subscriber’s phone', text, [section(text), ...failureDetails(outcome.status === 'failed' ? outcome.error : undefined)]);
}
