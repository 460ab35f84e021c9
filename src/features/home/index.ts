import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Services } from '../../app/services.js';
import { type Actor, actorFromContext } from '../../slack/actor.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { Feature } from '../index.js';
import { importModal } from '../numbers/import-form.js';
import { sipModal } from '../numbers/sip-form.js';
import { type HomeAbilities, type HomeData, homeActions, homeView } from './messages.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

const endpointActions = ['endpoint.register'];
const numberActions = ['number.create', 'number.import'];

/** The App Home tab: the workspace's connection, recent endpoints and numbers, and for operators the job queue. */
export class HomeTab implements Feature {
  constructor(private readonly services: Services) {}

  register(app: SlackListeners, _router: CommandRouter): void {
    app.event('app_home_opened', async ({ event, client, context }) => {
      if (event.tab !== 'home') return;
      await this.publish(client, actorFromContext(context, event.user));
    });
    app.action(/^home\.job\.retry(:.*)?$/, (args: ButtonArgs) => this.retryJob(args));
    app.action(homeActions.openSip, async ({ ack, body, client, context }: ButtonArgs) => {
      await ack();
      if (!(await this.allowed(actorFromContext(context, body.user.id), 'numbers.provision', client))) return;
      await client.views.open({ trigger_id: body.trigger_id, view: sipModal({}, this.services.backends.vapi?.sipHost ?? 'sip.vapi.ai') });
    });
    app.action(homeActions.openImport, async ({ ack, body, client, context }: ButtonArgs) => {
      await ack();
      if (!(await this.allowed(actorFromContext(context, body.user.id), 'numbers.provision', client))) return;
      await client.views.open({ trigger_id: body.trigger_id, view: importModal({}, this.services.config.defaultPhoneRegion) });
    });
  }

  /** Publishes from the store only: nothing here waits on Novu, Vapi or SignalWire. */
  async publish(client: WebClient, actor: Actor): Promise<void> {
    const [data, abilities] = await Promise.all([this.load(actor), this.abilities(actor, client)]);
    if (!abilities.manageJobs) delete data.jobs;
    await client.views.publish({ user_id: actor.userId, view: homeView(data, abilities) });
  }

  private async load(actor: Actor): Promise<HomeData> {
    const { store, installations, config } = this.services;
    const [stored, connection, recent, counts, dead] = await Promise.all([
      installations.find(actor.workspaceKey),
      store.connections.find(actor.workspaceKey),
      store.audit.list({ workspaceKey: actor.workspaceKey, limit: 50 }),
      store.jobs.countByStatus(),
      store.jobs.list({ statuses: ['dead'], limit: 5 }),
    ]);
    const installation = stored?.installation;
    const succeeded = (actions: string[]) => recent.filter((entry) => entry.outcome === 'ok' && actions.includes(entry.action)).slice(0, 5);
    return {
      workspaceName: (installation?.isEnterpriseInstall ? installation.enterprise?.name : installation?.team?.name) ?? 'this workspace',
      novuConfigured: config.novu !== null,
      connection,
      endpoints: succeeded(endpointActions),
      numbers: succeeded(numberActions),
      audit: recent.slice(0, 10),
      jobs: { counts, dead },
    };
  }

  private async abilities(actor: Actor, client: WebClient): Promise<HomeAbilities> {
    const allows = (action: Parameters<Services['permissions']['allows']>[1]) => this.services.permissions.allows(actor, action, client);
    const [manageConnection, writeEndpoints, provision, readAudit, manageJobs] = await Promise.all([
      allows('connection.write'),
      allows('endpoints.write'),
      allows('numbers.provision'),
      allows('audit.read'),
      allows('jobs.manage'),
    ]);
    const { vapi, signalwire } = this.services.backends;
    return {
      manageConnection,
      writeEndpoints,
      provisionVapi: provision && Boolean(vapi),
      provisionSignalWire: provision && Boolean(signalwire),
      readAudit,
      manageJobs,
    };
  }

  /** Gives a dead job a fresh set of attempts; the worker runs it once more. */
  private async retryJob({ ack, body, client, context, action }: ButtonArgs): Promise<void> {
    await ack();
    const actor = actorFromContext(context, body.user.id);
    if (!(await this.allowed(actor, 'jobs.manage', client))) return;
    const jobId = action.value ?? '';
    const revived = await this.services.queue.revive(jobId);
    await this.services.audit.record({
      action: 'job.retry',
      outcome: revived ? 'ok' : 'not-found',
      workspaceKey: actor.workspaceKey,
      userId: actor.userId,
      backendId: jobId,
    });
    await this.publish(client, actor);
  }

  private async allowed(actor: Actor, action: Parameters<Services['permissions']['allows']>[1], client: WebClient): Promise<boolean> {
    return !(await this.services.permissions.refusal(actor, action, client, 'App Home'));
  }
}
