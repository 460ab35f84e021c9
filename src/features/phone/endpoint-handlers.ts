import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Services } from '../../app/services.js';
import type { NovuClient } from '../../backends/novu/client.js';
import type { CreatePhoneEndpointBody, Integration } from '../../backends/novu/schemas.js';
import { actorFromContext } from '../../slack/actor.js';
import { refusalMessage } from '../../slack/commands/messages.js';
import type { CommandRequest, CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import { channelOf, sharedChannel, shareResult } from '../../slack/share.js';
import { submissionIntent, textOf } from '../../slack/view-state.js';
import { parseContextEntries } from '../connect/settings.js';
import { EndpointJobs, endpointIdentifier, fieldOfFailure } from './endpoint-jobs.js';
import {
  endpointListMessage,
  endpointSharedMessage,
  phoneActions,
  type RegisterField,
  type RegisterPrefill,
  registeredView,
  registeringView,
  registerModal,
  registerView,
  removalResult,
  removePrompt,
  stillWorkingView,
} from './messages.js';
import { parsePhoneNumber } from './phone-number.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type StateValues = ViewSubmitAction['view']['state']['values'];

const identifierPattern = /^[a-zA-Z0-9_.:-]{1,100}$/;
const pageSize = 10;
/** Providers that deliver to a phone number, offered first in the integration picker. */
const phoneProviders = new Set(['whatsapp-business', 'sendblue', 'twilio', 'plivo', 'sns', 'telnyx', 'nexmo', 'messagebird', 'sinch', 'bandwidth']);

/** `/phone register`, `list` and `remove`: Novu phone endpoints. */
export class EndpointHandlers {
  private readonly jobs: EndpointJobs;

  constructor(
    private readonly services: Services,
    private readonly novu: NovuClient,
  ) {
    this.jobs = new EndpointJobs(services, novu);
  }

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('phone', 'register', (request) =>
      this.openRegister(request.client, request.body.trigger_id, { ...prefillFromArgs(request.args), channelId: request.body.channel_id }),
    );
    router.on('phone', 'list', (request) => this.list(request));
    router.on('phone', 'remove', async ({ args, respond }) => {
      const identifier = args[0];
      await respond(
        identifier
          ? removePrompt(identifier)
          : { response_type: 'ephemeral', text: 'Which endpoint? `/phone remove <identifier>` — `/phone list` shows them.' },
      );
    });

    app.view(registerView.callbackId, (args: ViewArgs) => this.submitRegister(args));
    app.options(registerView.integration.action, async ({ ack, payload }) => {
      await ack(await this.integrationOptions(payload.value));
    });
    app.options(registerView.connection.action, async ({ ack, payload }) => {
      const values = (payload as { view?: { state?: { values?: StateValues } } }).view?.state?.values ?? {};
      const integration = values[registerView.integration.block]?.[registerView.integration.action]?.selected_option?.value;
      await ack({ options: await this.connectionOptions(integration, payload.value) });
    });
    app.action(/^phone\.remove(:\d+)?$/, (args: ButtonArgs) => this.clickRemove(args));
    app.action(phoneActions.more, (args: ButtonArgs) => this.clickMore(args));
    app.action(phoneActions.registerNumber, async ({ ack, body, client, context, action }: ButtonArgs) => {
      await ack();
      const actor = actorFromContext(context, body.user.id);
      if (!(await this.services.permissions.allows(actor, 'endpoints.write', client))) return;
      const view = registerModal({ number: action.value }, this.services.config.defaultPhoneRegion);
      // From a provisioning result (a modal) the form stacks on top; from a message it opens.
      if (body.view?.type === 'modal') await client.views.push({ trigger_id: body.trigger_id, view });
      else await client.views.open({ trigger_id: body.trigger_id, view });
    });
  }

  /** Opens straight away: nothing is fetched before `views.open`, whose trigger lasts 3 seconds. */
  async openRegister(client: WebClient, triggerId: string, prefill: RegisterPrefill): Promise<void> {
    await client.views.open({ trigger_id: triggerId, view: registerModal(prefill, this.services.config.defaultPhoneRegion) });
  }

  private async submitRegister({ ack, body, view, client, context }: ViewArgs): Promise<void> {
    const actor = actorFromContext(context, body.user.id);
    const refusal = await this.services.permissions.refusal(actor, 'endpoints.write', client, '/phone register');
    if (refusal) {
      await ack({ response_action: 'errors', errors: { [registerView.subscriber.block]: refusal.message } });
      return;
    }
    const read = readRegistration(view.state.values, this.services.config.defaultPhoneRegion);
    const shareIn = sharedChannel(view);
    if ('errors' in read) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    await ack({ response_action: 'update', view: registeringView() });
    const intent = submissionIntent(view.id, read.body);
    const outcome = await this.jobs.registerNow({ workspaceKey: actor.workspaceKey, requestedBy: actor.userId, body: read.body }, intent);
    const next =
      outcome.status === 'done'
        ? registeredView(outcome.result, read.body)
        : outcome.status === 'queued'
          ? stillWorkingView(outcome.lastError)
          : registerModal(
              {
                ...read.prefill,
                channelId: channelOf(view.private_metadata),
                problem: { field: fieldOfFailure(outcome.error) as RegisterField | undefined, text: outcome.error },
              },
              this.services.config.defaultPhoneRegion,
            );
    await client.views.update({ view_id: view.id, view: next }).catch((error: unknown) => {
      this.services.logger.warn({ err: error }, 'could not show the registration result; it is in the audit log');
    });
    if (outcome.status === 'done') await shareResult(client, shareIn, endpointSharedMessage(actor.userId, outcome.result, read.body), this.services.logger);
  }

  private async list({ args, respond }: CommandRequest): Promise<void> {
    await respond(await this.endpointPage(args[0], undefined, 1));
  }

  private async endpointPage(subscriberId: string | undefined, after: string | undefined, pageNumber: number) {
    const page = await this.novu.listEndpoints({ subscriberId, after, limit: pageSize, orderBy: 'createdAt', orderDirection: 'DESC' });
    const endpoints = page.data.filter((endpoint) => endpoint.type === 'phone');
    return endpointListMessage({ endpoints, subscriberId, next: page.next, pageNumber });
  }

  private async clickMore({ ack, action, respond, body, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const actor = actorFromContext(context, body.user.id);
    if (!(await this.services.permissions.allows(actor, 'endpoints.read', client))) return;
    const cursor = parseCursor(action.value);
    await respond({ replace_original: true, ...(await this.endpointPage(cursor.subscriberId, cursor.after, cursor.page)) });
  }

  private async clickRemove({ ack, action, respond, body, client, context }: ButtonArgs): Promise<void> {
    await ack();
    const actor = actorFromContext(context, body.user.id);
    const identifier = action.value ?? '';
    const refusal = await this.services.permissions.refusal(actor, 'endpoints.write', client, `/phone remove ${identifier}`);
    if (refusal) {
      await respond({ ...refusalMessage(refusal.message), replace_original: false });
      return;
    }
    const outcome = await this.jobs.removeNow(
      { workspaceKey: actor.workspaceKey, requestedBy: actor.userId, identifier },
      `${body.container?.message_ts ?? ''}:${actor.userId}`,
    );
    await respond({ ...removalResult(identifier, outcome), replace_original: false });
  }

  private async integrationOptions(query: string) {
    let integrations: Integration[];
    try {
      integrations = await this.novu.listActiveIntegrations();
    } catch (error) {
      this.services.logger.warn({ err: error }, 'could not load Novu integrations for a picker');
      return { options: [] };
    }
    const needle = query.trim().toLowerCase();
    const matching = integrations.filter(
      (integration) => !needle || `${integration.identifier} ${integration.name ?? ''} ${integration.providerId}`.toLowerCase().includes(needle),
    );
    const toOption = (integration: Integration) => ({
      text: { type: 'plain_text' as const, text: `${integration.name ?? integration.identifier} (${integration.providerId})`.slice(0, 75) },
      value: integration.identifier,
    });
    const phoneCapable = matching.filter(acceptsPhone).slice(0, 100);
    const others = matching.filter((integration) => !acceptsPhone(integration)).slice(0, 100);
    if (phoneCapable.length === 0 || others.length === 0) return { options: [...phoneCapable, ...others].slice(0, 100).map(toOption) };
    return {
      option_groups: [
        { label: { type: 'plain_text' as const, text: 'Deliver to phone numbers' }, options: phoneCapable.map(toOption) },
        { label: { type: 'plain_text' as const, text: 'Other integrations' }, options: others.map(toOption) },
      ],
    };
  }

  private async connectionOptions(integrationIdentifier: string | undefined, query: string) {
    if (!integrationIdentifier) return [];
    try {
      const page = await this.novu.listConnections({ integrationIdentifier, limit: 100 });
      const needle = query.trim().toLowerCase();
      return page.data
        .filter((connection) => !needle || connection.identifier.toLowerCase().includes(needle))
        .map((connection) => ({ text: { type: 'plain_text' as const, text: connection.identifier.slice(0, 75) }, value: connection.identifier }));
    } catch (error) {
      this.services.logger.warn({ err: error }, 'could not load Novu connections for a picker');
      return [];
    }
  }
}

export function acceptsPhone(integration: Integration): boolean {
  return integration.channel === 'sms' || phoneProviders.has(integration.providerId);
}

/** `/phone register +1 415 555 0100 subscriber-42`: the last word is the subscriber when it has a letter in it. */
export function prefillFromArgs(args: string[]): RegisterPrefill {
  if (args.length === 0) return {};
  const last = args.at(-1) ?? '';
  if (args.length > 1 && /[a-zA-Z_]/.test(last)) return { number: args.slice(0, -1).join(' '), subscriberId: last };
  if (args.length === 1 && /[a-zA-Z_]/.test(last) && !/^tel:/i.test(last)) return { subscriberId: last };
  return { number: args.join(' ') };
}

/** The modal's values, validated before anything is sent; errors keyed by block for `response_action: errors`. */
export function readRegistration(
  values: StateValues,
  defaultRegion: string,
): { body: CreatePhoneEndpointBody; prefill: RegisterPrefill } | { errors: Record<string, string> } {
  const text = (ids: { block: string; action: string }) => textOf(values[ids.block]?.[ids.action]?.value)?.trim() ?? '';
  const option = (ids: { block: string; action: string }) => textOf(values[ids.block]?.[ids.action]?.selected_option?.value) ?? '';
  const prefill: RegisterPrefill = {
    subscriberId: text(registerView.subscriber),
    number: text(registerView.number),
    integration: option(registerView.integration),
    connection: option(registerView.connection) || undefined,
    context: text(registerView.context) || undefined,
    identifier: text(registerView.identifier) || undefined,
  };
  const errors: Record<string, string> = {};
  if (!prefill.subscriberId) errors[registerView.subscriber.block] = 'Enter the Novu subscriber ID.';
  const phone = parsePhoneNumber(prefill.number ?? '', defaultRegion);
  if (!phone.ok) errors[registerView.number.block] = phone.problem;
  if (!prefill.integration) errors[registerView.integration.block] = 'Choose the Novu integration that delivers to this number.';
  const { context, problems } = parseContextEntries(prefill.context ?? '');
  if (problems.length > 0) errors[registerView.context.block] = problems.join('; ').slice(0, 150);
  if (prefill.identifier && !identifierPattern.test(prefill.identifier)) {
    errors[registerView.identifier.block] = 'Use up to 100 letters, digits and _ . : - (no spaces).';
  }
  if (Object.keys(errors).length > 0 || !phone.ok || !prefill.subscriberId || !prefill.integration) return { errors };
  const body: CreatePhoneEndpointBody = {
    identifier: prefill.identifier ?? endpointIdentifier(prefill.integration, prefill.subscriberId, phone.e164),
    type: 'phone',
    subscriberId: prefill.subscriberId,
    integrationIdentifier: prefill.integration,
    ...(prefill.connection ? { connectionIdentifier: prefill.connection } : {}),
    ...(Object.keys(context).length > 0 ? { context } : {}),
    endpoint: { phoneNumber: phone.e164 },
  };
  return { body, prefill };
}

function parseCursor(value: string | undefined): { after?: string; subscriberId?: string; page: number } {
  try {
    const parsed = JSON.parse(value ?? '{}') as { after?: unknown; subscriberId?: unknown; page?: unknown };
    return {
      after: typeof parsed.after === 'string' ? parsed.after : undefined,
      subscriberId: typeof parsed.subscriberId === 'string' ? parsed.subscriberId : undefined,
      page: typeof parsed.page === 'number' && parsed.page > 0 ? parsed.page : 1,
    };
  } catch {
    return { page: 1 };
  }
}
