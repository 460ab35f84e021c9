import type { RespondFn, ViewSubmitAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Actor } from '../../slack/actor.js';
import { message } from '../../slack/blocks.js';
import { refusalMessage } from '../../slack/commands/messages.js';
import type { CommandRequest, CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { md } from '../../slack/mrkdwn.js';
import { showInForm, toldInForm } from '../../slack/replies.js';
import { commandOrigin, type ShareOrigin, sharedOrigin, withShareNote } from '../../slack/share.js';
import { textOf, withResolvedOptions } from '../../slack/view-state.js';
import { contextKeysOf } from '../../tenancy/novu-scope.js';
import { tenantName } from '../../tenancy/tenant.js';
import type { ConnectionDeps } from '../deps.js';
import { integrationOptions } from '../integration-options.js';
import type { ConnectionJobs } from './connection-jobs.js';
import {
  auditListMessage,
  connectActions,
  connectionCard,
  connectionSharedMessage,
  connectionSyncedMessage,
  disconnectPrompt,
  disconnectResult,
  reconnectResult,
  type SetupScope,
  setupModal,
  setupResultView,
  setupView,
  workingView,
} from './messages.js';
import { type ConnectionSettings, formatContext, parseContextEntries } from './settings.js';

/** `/connect` and its card, modal and buttons. */
export class ConnectHandlers {
  constructor(
    private readonly services: ConnectionDeps,
    private readonly jobs: ConnectionJobs | undefined,
  ) {}

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('connect', 'status', (request) => this.status(request));
    router.on('connect', 'setup', (request) => this.openSetup(request.openModal, request.actor, commandOrigin(request.body)));
    router.on('connect', 'disconnect', async ({ actor, respond }) => {
      await respond(disconnectPrompt(await this.services.store.connections.find(actor.tenant.key)));
    });
    router.on('connect', 'audit', async ({ actor, respond }) => {
      await respond(auditListMessage(await this.services.store.audit.list({ workspaceKey: actor.tenant.key, limit: 20 })));
    });

    const write = { may: 'connection.write' } as const;
    app.action(connectActions.openSetup, { ...write, opensForm: true }, async ({ body, client, actor }: ButtonArgs) => {
      await this.openSetup((view) => client.views.open({ trigger_id: body.trigger_id, view }).then(() => {}), actor);
    });
    app.action(connectActions.disconnect, write, async ({ body, client, actor, respond }: ButtonArgs) => {
      const intent = `disconnect:${body.container?.message_ts ?? body.actions[0]?.action_ts ?? Date.now()}:${actor.userId}`;
      const accepted = await this.services.queue.storedThenTold(async () => (await this.jobs?.acceptDelete(actor.tenant, intent, actor.userId)) ?? null, {
        notStored: (text) => this.tell(body, actor, respond, text),
      });
      if (accepted === undefined) return;
      const result = accepted ? disconnectResult(await accepted.run()) : disconnectPrompt(undefined);
      if (body.view?.type === 'home') await this.services.events.emit('homeChanged', actor, client);
      else await respond({ replace_original: true, ...result });
    });
    app.action(connectActions.reconnect, write, async ({ body, client, actor, respond }: ButtonArgs) => {
      const jobs = this.jobs;
      if (!jobs) return;
      // Writes the stored token again with the stored settings: for a connection Novu lost or refused before.
      // One intent per drawing of the button: a double click finds the same job; the Home is redrawn after it.
      const intent = `reconnect:${body.view?.hash ?? body.container?.message_ts ?? Date.now()}:${actor.userId}`;
      const accepted = await this.services.queue.storedThenTold(() => jobs.acceptSync(actor.tenant, 'reconnect', intent, { requestedBy: actor.userId }), {
        notStored: (text) => this.tell(body, actor, respond, text),
      });
      if (!accepted) return;
      const outcome = await accepted.run();
      if (body.view?.type === 'home') await this.services.events.emit('homeChanged', actor, client);
      else await respond({ replace_original: false, ...reconnectResult(outcome) });
    });
    // Only for who may use the form it fills: anyone else gets no options.
    app.options(setupView.integration.action, write, async ({ ack, payload }) =>
      ack({ options: await integrationOptions(this.services, 'slack', payload.value) }),
    );
    app.view(setupView.callbackId, { ...write, field: setupView.integration.block }, (args: ViewSubmissionArgs) => this.submitSetup(args));
  }

  private async status({ actor, client, respond }: CommandRequest): Promise<void> {
    const [stored, connection, canManage] = await Promise.all([
      this.services.installations.find(actor.tenant.key),
      this.services.store.connections.find(actor.tenant.key),
      this.services.permissions.allows(actor, 'connection.write', client),
    ]);
    const scope = this.services.novuScope;
    const triggerContext = connection ? contextKeysOf(connection.context ?? {}) : scope ? contextKeysOf(scope.context(actor.tenant)) : [];
    await respond(connectionCard(tenantName(stored?.installation) ?? 'This workspace', connection, canManage && this.jobs !== undefined, triggerContext));
  }

  /** Opens at once from what the store knows; the integration list loads inside the modal. */
  private async openSetup(open: (view: View) => Promise<void>, actor: Actor, origin?: ShareOrigin): Promise<void> {
    if (!this.jobs || !this.services.novuScope) return;
    const connection = await this.services.store.connections.find(actor.tenant.key);
    const current = this.jobs.settingsFor(actor.tenant, connection);
    // What a change of scope would move: the tenant's routes and phone endpoints.
    const counts = await this.services.store.endpoints.countByType(actor.tenant.key);
    await open(setupModal(current, this.setupScope(actor), { routes: counts.slack_channel + counts.slack_user, phones: counts.phone }, origin));
  }

  private setupScope(actor: Actor): SetupScope {
    const scope = this.services.novuScope;
    return {
      tenantEntry: scope ? formatContext(scope.context(actor.tenant)) : '',
      tenantSubscriber: scope?.subscriber(actor.tenant) ?? '',
      canChooseScope: this.services.permissions.isOperator(actor.userId),
    };
  }

  /** What could not be started, said where the button was: in the conversation, or by DM from the App Home. */
  private async tell(body: ButtonArgs['body'], actor: Actor, respond: RespondFn, text: string): Promise<void> {
    if (body.view?.type === 'home') await this.services.bots.sendDirectMessage(actor.tenant.key, actor.userId, message(md`${text}`));
    else await respond({ ...refusalMessage(text), replace_original: false });
  }

  private async submitSetup({ ack, view, client, actor }: ViewSubmissionArgs): Promise<void> {
    const jobs = this.jobs;
    if (!jobs) return ack();
    const values = await withResolvedOptions(view.state.values, {
      [setupView.integration.action]: async () => (await this.services.integrations?.identifiers()) ?? [],
    });
    const parsed = readSetup(values as StateValues, this.setupScope(actor));
    if ('errors' in parsed) return ack({ response_action: 'errors', errors: parsed.errors });
    const wrongIntegration = await this.services.integrations?.problem(parsed.settings.integrationIdentifier, 'slack');
    if (wrongIntegration) return ack({ response_action: 'errors', errors: { [setupView.integration.block]: wrongIntegration } });
    const accepted = await this.services.queue.storedThenTold(
      () => jobs.acceptSync(actor.tenant, 'setup', `setup:${view.id}`, { ...parsed, requestedBy: actor.userId }),
      toldInForm(ack, workingView('Connecting…', 'Writing the connection to Novu…'), setupView.integration.block),
    );
    if (!accepted) return;
    const outcome = await accepted.run();
    const [shared, route] =
      outcome.status === 'done'
        ? await Promise.all([
            this.services.sharing.share(client, sharedOrigin(view), connectionSharedMessage(actor.userId, outcome.result)),
            this.services.permissions.allows(actor, 'routes.write', client),
          ])
        : [undefined, false];
    const where = { viewId: view.id, workspaceKey: actor.tenant.key, userId: actor.userId };
    const fallback = outcome.status === 'queued' ? undefined : connectionSyncedMessage(outcome, outcome.job.attempts);
    await showInForm(this.services, client, where, withShareNote(setupResultView(outcome, { route }), shared), fallback);
  }
}

type StateValues = ViewSubmitAction['view']['state']['values'];

/**
 * The setup modal's values, checked as Novu would check them, with errors per field. The tenant's
 * own context entry (and, in subscriber mode, its own subscriber) must stay unless the person is
 * an operator, whose other choice is marked for the audit log.
 */
export function readSetup(
  values: StateValues,
  scope: SetupScope,
): { settings: ConnectionSettings; scopeOverride: boolean } | { errors: Record<string, string> } {
  const integration = textOf(values[setupView.integration.block]?.[setupView.integration.action]?.selected_option?.value);
  const mode = values[setupView.mode.block]?.[setupView.mode.action]?.selected_option?.value === 'subscriber' ? 'subscriber' : 'shared';
  const contextText = textOf(values[setupView.context.block]?.[setupView.context.action]?.value) ?? '';
  const subscriberId = textOf(values[setupView.subscriber.block]?.[setupView.subscriber.action]?.value)?.trim() || undefined;
  const errors: Record<string, string> = {};
  if (!integration) errors[setupView.integration.block] = 'Choose a Novu integration.';
  else if (integration.startsWith('~')) errors[setupView.integration.block] = 'That integration is no longer offered by Novu: choose again.';
  const { context, problems } = parseContextEntries(contextText);
  if (problems.length > 0) errors[setupView.context.block] = problems.join('; ').slice(0, 150);
  else if (mode === 'shared' && Object.keys(context).length === 0)
    errors[setupView.context.block] = 'Shared mode needs at least one context entry, e.g. tenant:acme.';
  if (mode === 'subscriber' && !subscriberId) errors[setupView.subscriber.block] = 'Subscriber mode needs the subscriber ID that owns the connection.';
  const ownContext = contextKeysOf(context).includes(scope.tenantEntry);
  const ownSubscriber = mode !== 'subscriber' || subscriberId === scope.tenantSubscriber;
  // For everyone, operators too: every route and endpoint of the workspace carries the connection's context, and this entry is what makes them the workspace's.
  if (!errors[setupView.context.block] && !ownContext) {
    errors[setupView.context.block] = `Keep ${scope.tenantEntry}: it ties the connection, and every route and phone endpoint, to this workspace.`;
  }
  if (!scope.canChooseScope && !errors[setupView.subscriber.block] && !ownSubscriber) {
    errors[setupView.subscriber.block] = `This workspace's subscriber is ${scope.tenantSubscriber}. Only Switchboard operators may choose another.`;
  }
  if (Object.keys(errors).length > 0 || !integration) return { errors };
  return {
    settings: { integrationIdentifier: integration, mode, context, subscriberId: mode === 'subscriber' ? subscriberId : undefined },
    scopeOverride: !ownSubscriber,
  };
}
