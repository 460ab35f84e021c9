import type { AllMiddlewareArgs, BlockAction, RespondFn, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Services } from '../../app/services.js';
import type { NovuClient } from '../../backends/novu/client.js';
import type { NovuConfig } from '../../config/load.js';
import type { Logger } from '../../logging/logger.js';
import { type Actor, actorFromContext } from '../../slack/actor.js';
import { refusalMessage } from '../../slack/commands/messages.js';
import type { CommandRequest, CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import { sharedChannel, shareResult } from '../../slack/share.js';
import { textOf } from '../../slack/view-state.js';
import { slackIdOf } from '../../store/workspace-key.js';
import type { ConnectionJobs } from './connection-jobs.js';
import {
  auditListMessage,
  connectActions,
  connectionCard,
  connectionSharedMessage,
  disconnectPrompt,
  disconnectResult,
  type IntegrationChoice,
  reconnectResult,
  refusedView,
  setupModal,
  setupResultView,
  setupView,
  workingView,
} from './messages.js';
import { type ConnectionSettings, defaultSettings, parseContextEntries, settingsOf } from './settings.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** `/connect` and its card, modal and buttons. */
export class ConnectHandlers {
  /** Redraws the App Home after a change made from it. */
  refreshHome?: (client: WebClient, actor: Actor) => Promise<void>;

  constructor(
    private readonly services: Services,
    private readonly jobs: ConnectionJobs | undefined,
    private readonly novuClient: NovuClient | undefined,
    private readonly novu: NovuConfig | null,
  ) {}

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('connect', 'status', (request) => this.status(request));
    router.on('connect', 'setup', (request) => this.openSetup(request.client, request.body.trigger_id, request.actor, request.body.channel_id));
    router.on('connect', 'disconnect', (request) => this.promptDisconnect(request));
    router.on('connect', 'audit', (request) => this.audit(request));

    app.action(connectActions.openSetup, async ({ ack, body, client, context, respond }: ButtonArgs) => {
      await ack();
      const actor = actorFromContext(context, body.user.id);
      if (!(await this.allowed(actor, client, '/connect setup', respond))) return;
      await this.openSetup(client, body.trigger_id, actor);
    });
    app.action(connectActions.disconnect, async ({ ack, body, client, context, respond }: ButtonArgs) => {
      await ack();
      const actor = actorFromContext(context, body.user.id);
      if (!(await this.allowed(actor, client, '/connect disconnect', respond))) return;
      const result = await this.disconnect(actor);
      if (body.view?.type === 'home') await this.refreshHome?.(client, actor);
      else await respond({ replace_original: true, ...result });
    });
    app.action(connectActions.reconnect, async ({ ack, body, client, context, respond }: ButtonArgs) => {
      await ack();
      const actor = actorFromContext(context, body.user.id);
      if (!this.jobs || !(await this.allowed(actor, client, '/connect reconnect', respond))) return;
      // Writes the stored token again with the stored settings: for a connection Novu lost or refused before.
      const outcome = await this.jobs.syncNow(
        { workspaceKey: actor.workspaceKey, reason: 'setup', requestedBy: actor.userId },
        `reconnect:${body.actions[0]?.action_ts ?? Date.now()}`,
        {
          waitMs: this.services.config.tuning.inlineWaitMs,
          inlineRetries: true,
        },
      );
      if (body.view?.type === 'home') await this.refreshHome?.(client, actor);
      else await respond({ replace_original: false, ...reconnectResult(outcome) });
    });
    app.options(setupView.integration.action, async ({ ack, payload }) => {
      await ack({ options: (await this.chatIntegrations(payload.value)).map(toOption) });
    });
    app.view(setupView.callbackId, (args: ViewArgs) => this.submitSetup(args));
  }

  private async status({ actor, client, respond }: CommandRequest): Promise<void> {
    const [stored, connection, canManage] = await Promise.all([
      this.services.installations.find(actor.workspaceKey),
      this.services.store.connections.find(actor.workspaceKey),
      this.services.permissions.allows(actor, 'connection.write', client),
    ]);
    const workspaceName =
      (stored?.installation.isEnterpriseInstall ? stored.installation.enterprise?.name : stored?.installation.team?.name) ?? 'This workspace';
    await respond(connectionCard(workspaceName, connection, canManage && this.jobs !== undefined));
  }

  /** Opens at once from what the store knows; the integration list loads inside the modal. */
  private async openSetup(client: WebClient, triggerId: string, actor: Actor, channelId?: string): Promise<void> {
    if (!this.novu) return;
    const connection = await this.services.store.connections.find(actor.workspaceKey);
    const workspaceId = slackIdOf(actor.workspaceKey);
    const current = connection ? settingsOf(connection) : defaultSettings(this.novu, { id: workspaceId });
    const initial: IntegrationChoice | undefined = current ? { identifier: current.integrationIdentifier, label: current.integrationIdentifier } : undefined;
    await client.views.open({ trigger_id: triggerId, view: setupModal(current, initial, workspaceId, this.novu.contextType, channelId) });
  }

  private async promptDisconnect({ actor, respond }: CommandRequest): Promise<void> {
    await respond(disconnectPrompt(await this.services.store.connections.find(actor.workspaceKey)));
  }

  private async disconnect(actor: Actor) {
    const connection = await this.services.store.connections.find(actor.workspaceKey);
    if (!connection || !this.jobs) return disconnectPrompt(undefined);
    await this.services.store.connections.delete(actor.workspaceKey);
    const outcome = await this.jobs.deleteNow(
      { workspaceKey: actor.workspaceKey, identifier: connection.identifier, reason: 'disconnect', requestedBy: actor.userId },
      `disconnect:${connection.createdAt}`,
      { waitMs: this.services.config.tuning.inlineWaitMs, inlineRetries: true },
    );
    return disconnectResult(outcome);
  }

  private async audit({ actor, respond }: CommandRequest): Promise<void> {
    await respond(auditListMessage(await this.services.store.audit.list({ workspaceKey: actor.workspaceKey, limit: 20 })));
  }

  private async chatIntegrations(query: string): Promise<IntegrationChoice[]> {
    if (!this.novuClient) return [];
    try {
      const needle = query.trim().toLowerCase();
      return (await this.novuClient.listActiveIntegrations())
        .filter((integration) => (integration.channel ?? 'chat') === 'chat')
        .map((integration) => ({ identifier: integration.identifier, label: `${integration.name ?? integration.identifier} (${integration.providerId})` }))
        .filter((choice) => !needle || `${choice.identifier} ${choice.label}`.toLowerCase().includes(needle))
        .slice(0, 100);
    } catch (error) {
      this.services.logger.warn({ err: error }, 'could not load Novu integrations for a picker');
      return [];
    }
  }

  private async submitSetup({ ack, body, view, client, context }: ViewArgs): Promise<void> {
    const actor = actorFromContext(context, body.user.id);
    const refusal = await this.services.permissions.refusal(actor, 'connection.write', client, '/connect setup');
    if (refusal) {
      await ack({ response_action: 'update', view: refusedView(refusal.message) });
      return;
    }
    if (!this.jobs) return ack();
    const parsed = readSetup(view.state.values);
    if ('errors' in parsed) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    await ack({ response_action: 'update', view: workingView('Connecting…', 'Writing the connection to Novu…') });
    await this.runSetup(actor, parsed.settings, view, client, this.services.logger);
  }

  private async runSetup(actor: Actor, settings: ConnectionSettings, view: ViewArgs['view'], client: WebClient, logger: Logger): Promise<void> {
    const viewId = view.id;
    if (!this.jobs) return;
    const outcome = await this.jobs.syncNow({ workspaceKey: actor.workspaceKey, reason: 'setup', settings, requestedBy: actor.userId }, `setup:${viewId}`, {
      waitMs: this.services.config.tuning.inlineWaitMs,
      inlineRetries: true,
    });
    await client.views.update({ view_id: viewId, view: setupResultView(outcome) }).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not show the setup result; it is in the audit log');
    });
    if (outcome.status === 'done') await shareResult(client, sharedChannel(view), connectionSharedMessage(actor.userId, outcome.result), logger);
  }

  /** Permission check for buttons: a refusal is audited and told to the person where a message can answer. */
  private async allowed(actor: Actor, client: WebClient, target: string, respond: RespondFn | undefined): Promise<boolean> {
    const refusal = await this.services.permissions.refusal(actor, 'connection.write', client, target);
    if (refusal) await respond?.({ ...refusalMessage(refusal.message), replace_original: false }).catch(() => {});
    return !refusal;
  }
}

type StateValues = ViewSubmitAction['view']['state']['values'];

/** The setup modal's values, checked as Novu would check them, with errors per field. */
export function readSetup(values: StateValues): { settings: ConnectionSettings } | { errors: Record<string, string> } {
  const integration = textOf(values[setupView.integration.block]?.[setupView.integration.action]?.selected_option?.value);
  const mode = values[setupView.mode.block]?.[setupView.mode.action]?.selected_option?.value === 'subscriber' ? 'subscriber' : 'shared';
  const contextText = textOf(values[setupView.context.block]?.[setupView.context.action]?.value) ?? '';
  const subscriberId = textOf(values[setupView.subscriber.block]?.[setupView.subscriber.action]?.value)?.trim() || undefined;
  const errors: Record<string, string> = {};
  if (!integration) errors[setupView.integration.block] = 'Choose a Novu integration.';
  const { context, problems } = parseContextEntries(contextText);
  if (problems.length > 0) errors[setupView.context.block] = problems.join('; ').slice(0, 150);
  else if (mode === 'shared' && Object.keys(context).length === 0)
    errors[setupView.context.block] = 'Shared mode needs at least one context entry, e.g. tenant:acme.';
  if (mode === 'subscriber' && !subscriberId) errors[setupView.subscriber.block] = 'Subscriber mode needs the subscriber ID that owns the connection.';
  if (Object.keys(errors).length > 0 || !integration) return { errors };
  return { settings: { integrationIdentifier: integration, mode, context, subscriberId: mode === 'subscriber' ? subscriberId : undefined } };
}

function toOption(choice: IntegrationChoice) {
  return { text: { type: 'plain_text' as const, text: choice.label.slice(0, 75) }, value: choice.identifier };
}
