import { z } from 'zod';
import type { Activity, ExecutionDetail, NovuMessage } from '../../backends/novu/schemas.js';
import type { OwnedEndpoint } from '../../store/types.js';
import { parseJsonAs } from '../../util/json.js';

/**
 * Where a test notification ended, read from Novu's own records of it: the job of the step, its
 * execution details, and (for SMS) the message. The strings are Novu's worker's
 * (send-message-chat.usecase.ts, send-message-sms.usecase.ts, DetailEnum in
 * libs/application-generic/…/create-execution-details/types/index.ts; the Slack provider throws
 * `Slack API Error: <code>`).
 */
export type VerdictOutcome =
  /** Novu's provider accepted it for this endpoint: posted in Slack, or handed to the SMS/WhatsApp provider. */
  | 'delivered'
  /** The chat step found no endpoint of the subscriber in the trigger's context. */
  | 'no-route'
  /** Novu delivered to the subscriber's other endpoints, but did not select this one (another context or integration). */
  | 'not-selected'
  /** Posted with an empty token: no connection in the trigger's context (Slack answers not_authed). */
  | 'no-connection'
  /** Slack refused the connection's token. */
  | 'token-refused'
  /** Slack refused the post (not_in_channel, channel_not_found, is_archived…). */
  | 'slack-refused'
  /** Another provider error. */
  | 'provider-error'
  /** The integration is not active in Novu. */
  | 'integration-inactive'
  /** SMS: the subscriber has no phone in Novu. */
  | 'no-phone'
  /** SMS: Novu sent to the subscriber's phone, which is another number. */
  | 'other-phone'
  /** Novu had not finished with it when Switchboard stopped following. */
  | 'not-processed'
  /** Novu did not take the trigger. */
  | 'trigger-refused';

export interface Verdict {
  outcome: VerdictOutcome;
  transactionId: string;
  /** Slack's error code, for the Slack outcomes. */
  slackError?: string;
  /** The number Novu sent an SMS to, or the provider's error: words for a details line. */
  phone?: string;
  error?: string;
  /** Novu's execution details, in order: the details line. */
  details: string[];
}

/** The endpoint tested, and its channel, user or number. */
export type TestedEndpoint = Pick<OwnedEndpoint, 'identifier' | 'type' | 'target'>;

type Say = (outcome: VerdictOutcome, extra?: Partial<Verdict>) => Verdict;

const finished = new Set(['completed', 'failed', 'canceled', 'skipped', 'merged']);
/** Slack's answers to a token it does not take (a missing one is `not_authed`). */
export const tokenErrors: ReadonlySet<string> = new Set(['invalid_auth', 'token_revoked', 'token_expired', 'account_inactive']);

const rawSchema = z
  .object({ channelData: z.object({ identifier: z.string().nullish(), token: z.string().nullish() }).loose().nullish(), message: z.string().nullish() })
  .loose();

/** The verdict, or undefined while Novu is still working on the step. */
export function readVerdict(
  endpoint: TestedEndpoint,
  channel: 'chat' | 'sms',
  transactionId: string,
  activities: Activity[],
  messages: NovuMessage[],
): Verdict | undefined {
  const job = activities.flatMap((activity) => activity.jobs ?? []).find((candidate) => candidate.type === channel);
  if (!job || !finished.has(job.status)) return undefined;
  const executionDetails = job.executionDetails ?? [];
  const details = executionDetails.map((detail) => detail.detail);
  const verdict: Say = (outcome, extra = {}) => ({ outcome, transactionId, details, ...extra });
  if (details.includes('Subscriber does not have an active integration')) return verdict('integration-inactive');
  return channel === 'chat' ? chatVerdict(endpoint, executionDetails, details, verdict) : smsVerdict(endpoint, job.status, messages, verdict);
}

function chatVerdict(endpoint: TestedEndpoint, executionDetails: ExecutionDetail[], details: string[], verdict: Say): Verdict {
  const mine = executionDetails.filter((detail) => parseJsonAs(rawSchema, detail.raw)?.channelData?.identifier === endpoint.identifier);
  if (mine.some((detail) => detail.detail === 'Message sent')) return verdict('delivered');
  const failure = mine.find((detail) => detail.detail === 'Unexpected provider error');
  if (failure) {
    const raw = parseJsonAs(rawSchema, failure.raw);
    const message = raw?.message ?? '';
    const slackError = /Slack API Error: ([a-z_]+)/.exec(message)?.[1];
    // The resolver hands the provider an empty token when it found no connection in the trigger's
    // context; its redacted form keeps nothing of it. Slack answers a missing token with not_authed.
    const emptyToken = raw?.channelData?.token === '' || raw?.channelData?.token === '...';
    if (emptyToken || slackError === 'not_authed') return verdict('no-connection', { slackError });
    if (slackError && tokenErrors.has(slackError)) return verdict('token-refused', { slackError });
    if (slackError) return verdict('slack-refused', { slackError });
    return verdict('provider-error', { error: message || 'the provider gave no reason' });
  }
  return verdict(details.some((detail) => detail.startsWith('Subscriber does not have a configured channel')) ? 'no-route' : 'not-selected');
}

function smsVerdict(endpoint: TestedEndpoint, status: string, messages: NovuMessage[], verdict: Say): Verdict {
  const message = messages.find((candidate) => candidate.channel === 'sms');
  if (message?.errorId === 'no_subscriber_phone') return verdict('no-phone');
  if (message?.phone && message.phone !== endpoint.target) return verdict('other-phone', { phone: message.phone });
  if (message?.status === 'error') return verdict('provider-error', { error: message.errorText ?? 'the SMS provider gave no reason' });
  if (status === 'completed' && message) return verdict('delivered', { phone: message.phone ?? endpoint.target });
  return verdict('provider-error', { error: message?.errorText ?? `Novu ended the SMS step as ${status}` });
}
