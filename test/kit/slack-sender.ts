import { createHmac, randomBytes } from 'node:crypto';
import { checkOptionsResponse, checkSubmissionErrors, checkView } from './block-kit.js';
import type { EmulatedView, SlackEmulator } from './slack-emulator.js';
import { eventEnvelopeProblems } from './slack-schemas.js';
import type { EnvelopeType } from './socket-mode-server.js';

/**
 * Sends requests to the app exactly as Slack does. Over HTTP: form-encoded slash commands,
 * `payload=` interactivity, JSON events, all signed with the signing secret (v0 HMAC-SHA256).
 * In Socket Mode: the same payloads as envelopes over the emulator's WebSocket, answered by the
 * app's acknowledgement.
 */
type Json = Record<string, any>;

export interface Actor {
  userId: string;
  teamId: string;
  enterpriseId?: string;
  /** An org-wide (Enterprise Grid) install: interactive payloads then carry `team: null`. */
  isEnterpriseInstall?: boolean;
  channelId?: string;
}

export interface SentResponse {
  /** 0 when the app did not acknowledge within Slack's 3 seconds (Slack then drops its answer). */
  status: number;
  headers: Headers;
  text: string;
  json: Json | undefined;
  responseUrl?: string;
  triggerId?: string;
}

/** undici's answer when the server closed a kept-alive socket before reading the request on it. */
const idleSocketClosed = (error: unknown) => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code === 'UND_ERR_SOCKET' && cause.message === 'other side closed';
};

/** How long Slack waits for an acknowledgement (HTTP or Socket Mode) before it gives up. */
export const slackAckDeadlineMs = 3_000;

export function signature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export class SlackSender {
  constructor(
    private readonly appUrl: string,
    private readonly signingSecret: string,
    private readonly emulator: SlackEmulator,
    private readonly transport: 'http' | 'socket' = 'http',
  ) {}

  /** A request delivered over Socket Mode, answered as the HTTP path answers it (an empty ack has no body); status 0 when no ack came in time. */
  private async overSocket(type: EnvelopeType, payload: Json, retry?: { attempt?: number; reason?: string }): Promise<SentResponse> {
    const delivered = await this.emulator.socketMode.deliver(type, payload, retry);
    const answer = delivered.payload && Object.keys(delivered.payload).length > 0 ? delivered.payload : undefined;
    return { status: delivered.acked ? 200 : 0, headers: new Headers(), text: answer ? JSON.stringify(answer) : '', json: answer };
  }

  /** A raw signed POST to /slack/events; `sign` overrides let tests forge or age the signature. */
  async post(
    body: string,
    contentType: string,
    options: { timestamp?: number; secret?: string; headers?: Record<string, string>; omitSignature?: boolean } = {},
  ): Promise<SentResponse> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': contentType, ...options.headers };
    if (!options.omitSignature) {
      headers['x-slack-request-timestamp'] = String(timestamp);
      headers['x-slack-signature'] = signature(options.secret ?? this.signingSecret, timestamp, body);
    }
    // Slack waits 3 seconds for the acknowledgement, then drops the request and shows the person an error.
    const deadline = AbortSignal.timeout(slackAckDeadlineMs);
    const send = () => fetch(`${this.appUrl}/slack/events`, { method: 'POST', headers, body, signal: deadline });
    const response = await send()
      // A kept-alive socket the server closed as the request went out (a race under load): the request never reached the app, so it is sent again.
      .catch((error: unknown) => (idleSocketClosed(error) && !deadline.aborted ? send() : Promise.reject(error)))
      .catch((error: unknown) => {
        if (deadline.aborted) return undefined;
        throw error;
      });
    if (!response) return { status: 0, headers: new Headers(), text: '', json: undefined };
    const text = await response.text();
    let json: Json | undefined;
    try {
      json = text ? (JSON.parse(text) as Json) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  commandBody(command: string, text: string, actor: Actor, extra: Json = {}): { body: string; responseUrl: string; triggerId: string } {
    const responseUrl = this.emulator.newResponseUrl(actor.channelId ?? 'C0GENERAL');
    const triggerId = this.emulator.newTrigger();
    const fields: Record<string, string> = {
      token: 'deprecated-verification-token',
      team_id: actor.teamId,
      team_domain: 'acme',
      channel_id: actor.channelId ?? 'C0GENERAL',
      channel_name: 'general',
      user_id: actor.userId,
      user_name: actor.userId.toLowerCase(),
      command,
      text,
      api_app_id: this.emulator.appId,
      is_enterprise_install: actor.isEnterpriseInstall ? 'true' : 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
      ...(actor.enterpriseId ? { enterprise_id: actor.enterpriseId, enterprise_name: 'Acme Grid' } : {}),
      ...extra,
    };
    return { body: new URLSearchParams(fields).toString(), responseUrl, triggerId };
  }

  async command(command: string, text: string, actor: Actor): Promise<SentResponse> {
    const { body, responseUrl, triggerId } = this.commandBody(command, text, actor);
    const response =
      this.transport === 'socket'
        ? await this.overSocket('slash_commands', Object.fromEntries(new URLSearchParams(body)))
        : await this.post(body, 'application/x-www-form-urlencoded');
    return { ...response, responseUrl, triggerId };
  }

  async interaction(payload: Json, options: { headers?: Record<string, string> } = {}): Promise<SentResponse> {
    if (this.transport === 'socket') return this.overSocket('interactive', payload);
    return this.post(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded', options);
  }

  private identity(actor: Actor): Json {
    return {
      team: actor.isEnterpriseInstall ? null : { id: actor.teamId, domain: 'acme', ...(actor.enterpriseId ? { enterprise_id: actor.enterpriseId } : {}) },
      user: { id: actor.userId, username: actor.userId.toLowerCase(), name: actor.userId.toLowerCase(), team_id: actor.teamId },
      api_app_id: this.emulator.appId,
      token: 'deprecated-verification-token',
      is_enterprise_install: Boolean(actor.isEnterpriseInstall),
      enterprise: actor.enterpriseId ? { id: actor.enterpriseId, name: 'Acme Grid' } : null,
    };
  }

  /** Submits a modal the app opened, filled in with `values` keyed by action_id (others keep their initial values). */
  async submitView(view: EmulatedView, values: Record<string, unknown>, actor: Actor): Promise<SentResponse> {
    const payload = {
      type: 'view_submission',
      ...this.identity(actor),
      trigger_id: this.emulator.newTrigger(),
      view: { ...view, state: { values: stateValues(view, values) } },
      response_urls: [],
    };
    const hashAtSubmission = this.emulator.views.get(view.id)?.hash ?? view.hash;
    const response = await this.interaction(payload);
    // Slack refuses an acknowledgement that breaks its rules; so does the emulator.
    const answer = response.json;
    if (answer?.response_action === 'errors') this.refuseIf('view_submission errors', checkSubmissionErrors(view, answer.errors));
    if (answer?.response_action === 'update' || answer?.response_action === 'push') this.refuseIf('view_submission view', checkView(answer.view ?? {}));
    if (answer?.response_action === 'update' && answer.view) this.emulator.applyAcknowledgedUpdate(view.id, hashAtSubmission, answer.view);
    return response;
  }

  /**
   * Clicks a button in a view (modal or App Home) or in a message sent through response_url; in a
   * view, also a choice whose input block dispatches its change (`stateOverrides[actionId]` is the new choice).
   */
  async clickButton(
    where: { view?: EmulatedView; message?: Json; responseUrl?: string },
    actionId: string,
    actor: Actor,
    stateOverrides: Record<string, unknown> = {},
  ): Promise<SentResponse> {
    const blocks: Json[] = where.view?.blocks ?? where.message?.blocks ?? [];
    const found = findElement(blocks, actionId);
    if (!found) throw new Error(`No element with action_id ${actionId}`);
    // A choice in a view (a select, radio buttons, checkboxes whose block dispatches its change) is sent as now chosen.
    const state = where.view ? stateValues(where.view, stateOverrides) : undefined;
    const chosen: Json | undefined = state?.[found.blockId]?.[actionId];
    const payload: Json = {
      type: 'block_actions',
      ...this.identity(actor),
      trigger_id: this.emulator.newTrigger(),
      actions: [
        {
          type: found.element.type,
          action_id: actionId,
          block_id: found.blockId,
          value: found.element.value,
          text: found.element.text,
          action_ts: String(Date.now() / 1000),
          ...(chosen
            ? {
                ...('selected_option' in chosen ? { selected_option: chosen.selected_option } : {}),
                ...('selected_options' in chosen ? { selected_options: chosen.selected_options } : {}),
              }
            : found.element.type === 'static_select'
              ? { selected_option: stateOverrides[actionId] ?? found.element.initial_option }
              : {}),
        },
      ],
    };
    if (where.view) {
      payload.view = { ...where.view, state: { values: state } };
      this.emulator.typed.set(where.view.id, payload.view.state.values);
      payload.container = { type: 'view', view_id: where.view.id };
    } else {
      payload.response_url = where.responseUrl ?? this.emulator.newResponseUrl(actor.channelId ?? 'C0GENERAL');
      // Each message has its own ts: the same message clicked twice shares it, another message does not.
      const messageTs = `${Number.parseInt(
        createHmac('sha256', 'ts')
          .update(`${payload.response_url}${JSON.stringify(where.message ?? {})}`)
          .digest('hex')
          .slice(0, 8),
        16,
      )}.000100`;
      payload.container = { type: 'message', message_ts: messageTs, channel_id: actor.channelId ?? 'C0GENERAL', is_ephemeral: true };
      payload.channel = { id: actor.channelId ?? 'C0GENERAL', name: 'general' };
      payload.message = where.message;
    }
    return this.interaction(payload);
  }

  /** What Slack sends when someone types into an external_select; `chosen` are values already picked in the form (by action_id). */
  async suggest(view: EmulatedView, actionId: string, query: string, actor: Actor, chosen: Record<string, unknown> = {}): Promise<SentResponse> {
    const found = findElement(view.blocks ?? [], actionId);
    if (!found) throw new Error(`No element with action_id ${actionId}`);
    const response = await this.interaction({
      type: 'block_suggestion',
      ...this.identity(actor),
      action_id: actionId,
      block_id: found.blockId,
      value: query,
      view: { ...view, state: { values: stateValues(view, chosen) } },
      container: { type: 'view', view_id: view.id },
    });
    this.refuseIf(`block_suggestion for ${actionId}`, response.status === 200 ? checkOptionsResponse(response.json) : [`answered ${response.status}`]);
    return response;
  }

  private refuseIf(what: string, problems: string[]): void {
    if (problems.length === 0) return;
    this.emulator.problems.push(...problems.map((problem) => `${what}: ${problem}`));
    throw new Error(`Slack would refuse the app's ${what}: ${problems.join('; ')}`);
  }

  /**
   * An Events API delivery. Most events carry `authorizations` (whose installation the event is
   * for); Slack's documented `app_uninstalled` and `tokens_revoked` payloads do not, and an
   * org-wide one names the enterprise with `team_id` empty (or one workspace of the org). Every
   * envelope is checked against Slack's event wrapper schema before it is sent.
   */
  async event(
    event: Json,
    scope: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean },
    options: { eventId?: string; retryNum?: number } = {},
  ): Promise<SentResponse> {
    const withoutAuthorizations = lifecycleEvents.has(String(event.type));
    const body: Json = {
      token: 'deprecated-verification-token',
      team_id: withoutAuthorizations && scope.isEnterpriseInstall ? (scope.teamId ?? null) : (scope.teamId ?? scope.enterpriseId),
      ...(scope.enterpriseId ? { enterprise_id: scope.enterpriseId } : {}),
      api_app_id: this.emulator.appId,
      event: { event_ts: String(Date.now() / 1000), ...event },
      type: 'event_callback',
      event_id: options.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authed_users: ['U0INSTALLER'],
      is_ext_shared_channel: false,
    };
    if (!withoutAuthorizations) {
      body.authorizations = [
        {
          enterprise_id: scope.enterpriseId ?? null,
          team_id: scope.isEnterpriseInstall ? null : (scope.teamId ?? null),
          user_id: 'U0BOT',
          is_bot: true,
          is_enterprise_install: Boolean(scope.isEnterpriseInstall),
        },
      ];
    }
    this.refuseIf('event envelope', eventEnvelopeProblems(body));
    if (this.transport === 'socket') return this.overSocket('events_api', body, { attempt: options.retryNum, reason: options.retryNum ? 'timeout' : '' });
    const headers: Record<string, string> = {};
    if (options.retryNum) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    return this.post(JSON.stringify(body), 'application/json', { headers });
  }
}

/** Events whose documented payloads carry no `authorizations` (Slack's app_uninstalled and tokens_revoked pages). */
const lifecycleEvents = new Set(['app_uninstalled', 'tokens_revoked']);

function findElement(blocks: Json[], actionId: string): { element: Json; blockId: string } | undefined {
  for (const block of blocks) {
    const candidates: Json[] = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : []), ...(block.element ? [block.element] : [])];
    const element = candidates.find((candidate) => candidate.action_id === actionId);
    if (element) return { element, blockId: block.block_id ?? '' };
  }
  return undefined;
}

/**
 * `view.state.values` as Slack builds it: one entry per input block, by block_id then action_id.
 * `values` are keyed by action_id: a string for text inputs, an option value (or values) for selects.
 */
export function stateValues(view: EmulatedView, values: Record<string, unknown>): Json {
  const state: Json = {};
  for (const block of view.blocks ?? []) {
    if (block.type !== 'input' && !(block.type === 'actions' && block.block_id)) continue;
    const elements: Json[] = block.type === 'input' ? [block.element] : (block.elements ?? []);
    for (const element of elements) {
      if (!element?.action_id || element.type === 'button') continue;
      const given = Object.hasOwn(values, element.action_id) ? values[element.action_id] : undefined;
      state[block.block_id] ??= {};
      state[block.block_id][element.action_id] = elementValue(element, given, Object.hasOwn(values, element.action_id));
    }
  }
  return state;
}

function optionFor(element: Json, value: unknown): Json | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'object') return value as Json;
  const options: Json[] = element.options ?? [];
  return options.find((option) => option.value === value) ?? { text: { type: 'plain_text', text: String(value) }, value: String(value) };
}

function elementValue(element: Json, given: unknown, isGiven: boolean): Json {
  switch (element.type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type: element.type, selected_option: isGiven ? optionFor(element, given) : (element.initial_option ?? null) };
    case 'checkboxes': {
      const selected = isGiven
        ? (Array.isArray(given) ? given : []).map((value) => optionFor(element, value)).filter(Boolean)
        : (element.initial_options ?? []);
      return { type: 'checkboxes', selected_options: selected };
    }
    case 'conversations_select':
      return { type: element.type, selected_conversation: isGiven ? (given ?? null) : (element.initial_conversation ?? null) };
    case 'users_select':
      return { type: element.type, selected_user: isGiven ? (given ?? null) : (element.initial_user ?? null) };
    case 'file_input':
      // The files uploaded (SlackEmulator.files.addUpload gives them as Slack does); none when left out.
      return { type: 'file_input', files: isGiven && Array.isArray(given) ? given : [] };
    default:
      return { type: element.type, value: isGiven ? (given === undefined || given === null ? null : String(given)) : (element.initial_value ?? null) };
  }
}
