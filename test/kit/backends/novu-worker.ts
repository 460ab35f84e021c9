import { randomBytes } from 'node:crypto';
import type { Json } from './fake-backend.js';

/**
 * What Novu's worker does with a trigger, as its own source does it (novuhq/novu; paths below are
 * under apps/worker/src/app/workflow/usecases/send-message/ unless another is given). The fake
 * Novu's API accepts the trigger; this delivers it, over real HTTP, to the Slack emulator (the
 * Slack provider) and to the phone network (SMS and WhatsApp providers), and keeps Novu's records
 * of it: the notification with its jobs and execution details, and the messages.
 */

export interface FakeStep {
  _id: string;
  stepId: string;
  name: string;
  type: string;
  controlValues: { body?: string; [key: string]: unknown };
}

export interface FakeWorkflow {
  _id: string;
  workflowId: string;
  name: string;
  active: boolean;
  steps: FakeStep[];
  createdAt: string;
  updatedAt: string;
}

/** ActivityNotificationExecutionDetailResponseDto. */
export interface ExecutionDetail {
  _id: string;
  status: 'Success' | 'Warning' | 'Failed' | 'Pending';
  detail: string;
  isRetry: false;
  isTest: false;
  source: 'Internal';
  providerId?: string;
  /** JSON, as Novu keeps it. */
  raw?: string;
  createdAt: string;
}

/** ActivityNotificationJobResponseDto; status is JobStatusEnum (packages/shared … job/status.enum.ts). */
export interface FakeJob {
  _id: string;
  type: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'canceled';
  step: { _id: string; stepId: string; name: string };
  providerId: string | null;
  executionDetails: ExecutionDetail[];
  error?: string;
  updatedAt: string;
}

export interface FakeNotification {
  _id: string;
  transactionId: string;
  subscriberId: string;
  workflow: FakeWorkflow;
  payload: Json;
  contextKeys: string[];
  jobs: FakeJob[];
  createdAt: string;
}

/** MessageResponseDto (message.schema.ts: status defaults to `sent`). */
export interface FakeMessage {
  _id: string;
  _notificationId: string;
  _jobId: string;
  subscriberId: string;
  transactionId: string;
  channel: 'chat' | 'sms';
  providerId: string;
  status: 'sent' | 'error' | 'warning';
  errorId?: string;
  errorText?: string;
  phone?: string;
  contextKeys: string[];
  createdAt: string;
}

export interface Trigger {
  workflow: FakeWorkflow;
  subscriberId: string;
  payload: Json;
  overrides: Json;
  contextKeys: string[];
  transactionId: string;
}

/** What the worker reads of the fake's state. */
export interface NovuState {
  connections: Map<string, { identifier: string; integrationIdentifier: string; contextKeys: string[]; auth: { accessToken: string } }>;
  endpoints: Map<
    string,
    {
      identifier: string;
      type: string;
      subscriberId: string;
      integrationIdentifier: string;
      connectionIdentifier: string | null;
      contextKeys: string[];
      endpoint: Json;
    }
  >;
  subscribers: Map<string, { subscriberId: string; phone?: string | null }>;
  integrations: { identifier: string; name: string; providerId: string; channel: string; active: boolean; primary?: boolean }[];
  /** Where the Slack provider posts (slack.provider.ts hard-codes https://slack.com/api; tests point it at the emulator). */
  slackApiUrl?: string;
  /** Where the SMS and WhatsApp providers hand texts to the network. */
  phoneNetworkUrl?: string;
}

/** ENDPOINT_TYPES_REQUIRING_TOKEN (packages/stateless/src/lib/provider/channel-data.type.ts), the Slack ones. */
const tokenTypes = new Set(['slack_channel', 'slack_user']);
/** Chat providers that deliver to a phone number (send-message-chat: phone-based channels). */
const phoneChatProviders = ['whatsapp-business', 'sendblue'];

/**
 * buildContextExactMatchQuery (libs/dal/src/repositories/base-repository.ts): a trigger without
 * context matches only records without context; with context, only the same set, in any order.
 */
export function exactContextMatch(recordKeys: readonly string[], triggerKeys: readonly string[]): boolean {
  return recordKeys.length === triggerKeys.length && triggerKeys.every((key) => recordKeys.includes(key));
}

const id = () => randomBytes(12).toString('hex');
const now = () => new Date().toISOString();

interface ChannelData {
  type: string;
  identifier: string;
  endpoint: Json;
  token?: string;
}

interface Group {
  integrationIdentifier: string;
  providerId: string;
  channelData: ChannelData[];
}

export class NovuWorker {
  readonly notifications: FakeNotification[] = [];
  readonly messages: FakeMessage[] = [];
  /** Things the fake cannot do as Novu would (a step type it does not model): a test reading records should fail loudly. */
  readonly problems: string[] = [];
  /** Time between the trigger's answer and the worker picking it up. */
  delayMs = 10;
  private paused = false;
  private waiting: Trigger[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly state: NovuState) {}

  /** Triggers that came in one request (several recipients): they share a transactionId. */
  private readonly sameTrigger = new WeakSet<Trigger>();

  /** The recipients of one trigger request, each queued like the workflow queue. */
  enqueueAll(triggers: Trigger[]): void {
    if (triggers.length > 1) for (const trigger of triggers) this.sameTrigger.add(trigger);
    for (const trigger of triggers) this.enqueue(trigger);
  }

  /** Queued like the workflow queue: processed in order, after `delayMs`, unless the worker is paused. */
  enqueue(trigger: Trigger): void {
    if (this.paused) {
      this.waiting.push(trigger);
      return;
    }
    this.chain = this.chain
      .then(() => new Promise((resolve) => setTimeout(resolve, this.delayMs)))
      .then(() => this.process(trigger))
      .catch((error: unknown) => {
        this.problems.push(`worker: ${String(error)}`);
      });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const trigger of waiting) this.enqueue(trigger);
  }

  /** Resolves when everything queued so far is processed. */
  idle(): Promise<void> {
    return this.chain;
  }

  /**
   * TriggerEvent.validateTransactionIdProperty: a transactionId already used is refused in the
   * worker (the API has answered `processed` already), so a repeated trigger delivers nothing.
   */
  private async process(trigger: Trigger): Promise<void> {
    if (this.notifications.some((notification) => notification.transactionId === trigger.transactionId && notification.subscriberId !== trigger.subscriberId)) {
      // One trigger to several subscribers shares its transactionId; another trigger may not.
      if (!this.sameTrigger.has(trigger)) return;
    } else if (this.notifications.some((notification) => notification.transactionId === trigger.transactionId)) return;
    const notification: FakeNotification = {
      _id: id(),
      transactionId: trigger.transactionId,
      subscriberId: trigger.subscriberId,
      workflow: trigger.workflow,
      payload: trigger.payload,
      contextKeys: trigger.contextKeys,
      jobs: [],
      createdAt: now(),
    };
    this.notifications.push(notification);
    for (const step of trigger.workflow.steps) {
      const job: FakeJob = {
        _id: id(),
        type: step.type,
        status: 'running',
        step: { _id: step._id, stepId: step.stepId, name: step.name },
        providerId: null,
        executionDetails: [],
        updatedAt: now(),
      };
      notification.jobs.push(job);
      const content = render(step.controlValues.body ?? '', trigger);
      if (step.type === 'chat') await this.chat(trigger, notification, job, content);
      else if (step.type === 'sms') await this.sms(trigger, notification, job, content);
      else {
        this.problems.push(`the test kit's Novu does not deliver ${step.type} steps`);
        job.status = 'failed';
      }
      job.updatedAt = now();
    }
  }

  private detail(job: FakeJob, status: ExecutionDetail['status'], detail: string, extra: { providerId?: string; raw?: Json } = {}): void {
    job.executionDetails.push({
      _id: id(),
      status,
      detail,
      isRetry: false,
      isTest: false,
      source: 'Internal',
      ...(extra.providerId ? { providerId: extra.providerId } : {}),
      ...(extra.raw ? { raw: JSON.stringify(extra.raw) } : {}),
      createdAt: now(),
    });
  }

  private integration(identifier: string, channel: string) {
    return this.state.integrations.find((candidate) => candidate.identifier === identifier && candidate.channel === channel && candidate.active);
  }

  /**
   * channel-endpoint-resolution/resolve-channel-endpoints.usecase.ts: the subscriber's chat
   * endpoints in the trigger's exact context, those of inactive integrations dropped; each
   * token-bearing endpoint gets its connection's token — the connection found by identifier AND
   * the same exact context — or '' when none matches; grouped by integration in first-seen order.
   */
  private resolveEndpoints(trigger: Trigger): Group[] {
    const endpoints = [...this.state.endpoints.values()].filter(
      (endpoint) =>
        endpoint.subscriberId === trigger.subscriberId &&
        this.state.integrations.find((integration) => integration.identifier === endpoint.integrationIdentifier)?.channel === 'chat' &&
        exactContextMatch(endpoint.contextKeys, trigger.contextKeys) &&
        this.integration(endpoint.integrationIdentifier, 'chat') !== undefined,
    );
    const groups = new Map<string, Group>();
    for (const endpoint of endpoints) {
      const channelData: ChannelData = { type: endpoint.type, identifier: endpoint.identifier, endpoint: endpoint.endpoint };
      if (tokenTypes.has(endpoint.type)) {
        const connection = endpoint.connectionIdentifier ? this.state.connections.get(endpoint.connectionIdentifier) : undefined;
        channelData.token = connection && exactContextMatch(connection.contextKeys, trigger.contextKeys) ? (connection.auth?.accessToken ?? '') : '';
      }
      const integration = this.integration(endpoint.integrationIdentifier, 'chat');
      const group = groups.get(endpoint.integrationIdentifier) ?? {
        integrationIdentifier: endpoint.integrationIdentifier,
        providerId: integration?.providerId ?? '',
        channelData: [],
      };
      group.channelData.push(channelData);
      groups.set(endpoint.integrationIdentifier, group);
    }
    return [...groups.values()];
  }

  /**
   * send-message-chat.usecase.ts: endpoint groups, plus one phone-based channel per phone chat
   * provider (WhatsApp Business, Sendblue) with an active integration when the subscriber has a
   * `phone` and that provider has no group; nothing at all → a Warning and the job is canceled.
   * Each group is one message; each endpoint one provider call; a failure marks the message
   * `error` (unexpected_chat_error) with the provider's error as its text.
   */
  private async chat(trigger: Trigger, notification: FakeNotification, job: FakeJob, content: string): Promise<void> {
    const groups = this.resolveEndpoints(trigger);
    const subscriber = this.state.subscribers.get(trigger.subscriberId);
    if (subscriber?.phone) {
      for (const providerId of phoneChatProviders) {
        const integration = this.state.integrations.find(
          (candidate) => candidate.providerId === providerId && candidate.channel === 'chat' && candidate.active,
        );
        if (!integration || groups.some((group) => group.providerId === providerId)) continue;
        groups.push({
          integrationIdentifier: integration.identifier,
          providerId,
          channelData: [{ type: 'phone', identifier: '', endpoint: { phoneNumber: subscriber.phone } }],
        });
      }
    }
    if (groups.length === 0) {
      this.detail(
        job,
        'Warning',
        trigger.contextKeys.length > 0
          ? 'Subscriber does not have a configured channel with the given context'
          : 'Subscriber does not have a configured channel',
      );
      job.status = 'canceled';
      return;
    }
    let sent = 0;
    let failed = 0;
    for (const group of groups) {
      const integration = this.integration(group.integrationIdentifier, 'chat');
      if (!integration) {
        this.detail(job, 'Failed', 'Subscriber does not have an active integration', {
          raw: { message: `Integration with integrationIdentifier: ${group.integrationIdentifier} is either deleted or not active` },
        });
        failed += 1;
        continue;
      }
      job.providerId = group.providerId;
      const message = this.newMessage(trigger, notification, job, 'chat', group.providerId);
      this.detail(job, 'Pending', `${integration.name} provider was selected`, { providerId: group.providerId });
      this.detail(job, 'Pending', 'Message created', { providerId: group.providerId });
      let groupSent = false;
      for (const channelData of group.channelData) {
        const shown = redacted(channelData);
        try {
          const result = await this.sendChat(group.providerId, channelData, content);
          this.detail(job, 'Success', 'Message sent', { providerId: group.providerId, raw: { id: result.id, date: now(), channelData: shown } });
          groupSent = true;
        } catch (error) {
          const text = error instanceof Error ? error.message : String(error);
          Object.assign(message, { status: 'error', errorId: 'unexpected_chat_error', errorText: text || 'Un-expect CHAT provider error' });
          this.detail(job, 'Failed', 'Unexpected provider error', { providerId: group.providerId, raw: { channelData: shown, message: text } });
        }
      }
      if (groupSent) sent += 1;
      else failed += 1;
    }
    if (sent > 0) job.status = 'completed';
    else if (failed === groups.length) {
      this.detail(job, 'Failed', 'All chat channels failed to send the message');
      job.status = 'failed';
      job.error = 'All chat channels failed to send the message';
    } else {
      this.detail(job, 'Warning', 'Some chat channels skipped to send the message');
      job.status = 'canceled';
    }
  }

  /** The providers: Slack's chat.postMessage (slack.provider.ts), and the phone chat providers. */
  private async sendChat(providerId: string, channelData: ChannelData, content: string): Promise<{ id: string }> {
    if (providerId === 'slack' || providerId === 'novu-slack') {
      if (!this.state.slackApiUrl) throw new Error('the test kit gave the fake Novu no Slack API to post to');
      const channel = String(channelData.endpoint.channelId ?? channelData.endpoint.userId ?? '');
      const response = await fetch(`${this.state.slackApiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${channelData.token ?? ''}` },
        body: JSON.stringify({ text: content, channel }),
      });
      if (!response.ok) throw new Error(`Request failed with status code ${response.status}`);
      const answer = (await response.json()) as { ok: boolean; error?: string; channel?: string; ts?: string };
      if (!answer.ok) throw new Error(`Slack API Error: ${answer.error}`);
      return { id: `${answer.channel}:${answer.ts}` };
    }
    if (phoneChatProviders.includes(providerId)) return this.toPhone('chat', providerId, String(channelData.endpoint.phoneNumber ?? ''), content);
    throw new Error(`the test kit's Novu has no ${providerId} provider`);
  }

  /**
   * send-message-sms.usecase.ts: the integration named in overrides.sms.integrationIdentifier, else
   * the active primary SMS integration; the number is payload.phone, else the subscriber's phone —
   * channel endpoints are never read. The message is made before the phone is checked.
   */
  private async sms(trigger: Trigger, notification: FakeNotification, job: FakeJob, content: string): Promise<void> {
    const named = (trigger.overrides.sms as Json | undefined)?.integrationIdentifier;
    const integration =
      typeof named === 'string'
        ? this.integration(named, 'sms')
        : this.state.integrations.find((candidate) => candidate.channel === 'sms' && candidate.active && candidate.primary);
    if (!integration) {
      this.detail(job, 'Failed', 'Subscriber does not have an active integration', { raw: named ? { integrationIdentifier: named } : undefined });
      job.status = 'failed';
      job.error = 'Subscriber does not have an active integration';
      return;
    }
    job.providerId = integration.providerId;
    const subscriber = this.state.subscribers.get(trigger.subscriberId);
    const phone = (typeof trigger.payload.phone === 'string' && trigger.payload.phone) || subscriber?.phone || undefined;
    const message = this.newMessage(trigger, notification, job, 'sms', integration.providerId);
    if (phone) message.phone = phone;
    this.detail(job, 'Pending', `${integration.name} provider was selected`, { providerId: integration.providerId });
    this.detail(job, 'Pending', 'Message created', { providerId: integration.providerId });
    if (!phone) {
      Object.assign(message, { status: 'warning', errorId: 'no_subscriber_phone', errorText: 'Subscriber does not have active phone' });
      this.detail(job, 'Failed', 'Subscriber missing phone number', { providerId: integration.providerId });
      job.status = 'canceled';
      return;
    }
    // {...overrides.sms, ...overrides[providerId]}: the provider's own overrides win.
    const smsOverrides = { ...((trigger.overrides.sms as Json | undefined) ?? {}), ...((trigger.overrides[integration.providerId] as Json | undefined) ?? {}) };
    try {
      const result = await this.toPhone('sms', integration.providerId, typeof smsOverrides.to === 'string' ? smsOverrides.to : phone, content);
      // A provider answer without an id is a failure (the step is FAILED with PROVIDER_ERROR).
      if (!result.id) throw new Error('The SMS provider returned no message id');
      this.detail(job, 'Success', 'Message sent', { providerId: integration.providerId, raw: result });
      job.status = 'completed';
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      Object.assign(message, { status: 'error', errorId: 'unexpected_sms_error', errorText: text });
      this.detail(job, 'Failed', 'Unexpected provider error', { providerId: integration.providerId, raw: { message: text, name: 'Error' } });
      job.status = 'failed';
      job.error = text;
    }
  }

  private async toPhone(channel: 'sms' | 'chat', providerId: string, to: string, body: string): Promise<{ id: string }> {
    if (!this.state.phoneNetworkUrl) throw new Error('the test kit gave the fake Novu no phone network');
    const response = await fetch(this.state.phoneNetworkUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel, providerId, to, from: 'Novu', body }),
    });
    const answer = (await response.json()) as { id?: string; message?: string };
    if (!response.ok) throw new Error(answer.message ?? `Request failed with status code ${response.status}`);
    return { id: answer.id ?? '' };
  }

  private newMessage(trigger: Trigger, notification: FakeNotification, job: FakeJob, channel: 'chat' | 'sms', providerId: string): FakeMessage {
    const message: FakeMessage = {
      _id: id(),
      _notificationId: notification._id,
      _jobId: job._id,
      subscriberId: trigger.subscriberId,
      transactionId: trigger.transactionId,
      channel,
      providerId,
      status: 'sent',
      contextKeys: trigger.contextKeys,
      createdAt: now(),
    };
    this.messages.push(message);
    return message;
  }
}

/** Channel data as Novu keeps it in execution details: tokens cut to their first 8 characters. */
function redacted(channelData: ChannelData): Json {
  const { token, ...rest } = channelData;
  return token === undefined ? rest : { ...rest, token: token ? `${token.slice(0, 8)}...` : '' };
}

/** `{{payload.x}}` and `{{subscriber.x}}`, as Liquid renders a step's body for these simple paths. */
function render(template: string, trigger: Trigger): string {
  return template.replace(/\{\{\s*(payload|subscriber)\.([\w.]+)\s*\}\}/g, (_match, root: string, path: string) => {
    let value: unknown = root === 'payload' ? trigger.payload : { subscriberId: trigger.subscriberId };
    for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Json)[part] : undefined;
    return value === undefined || value === null ? '' : String(value);
  });
}
