import type { WebClient } from '@slack/web-api';
import { type Actor, actorOf } from '../../slack/actor.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners } from '../../slack/listener-table.js';
import type { JobStatus, WorkspaceKey } from '../../store/types.js';
import { tenantName } from '../../tenancy/tenant.js';
import { TenantContexts } from '../../tenancy/tenant-contexts.js';
import type { DeliveryReport } from '../delivery/model.js';
import type { HomeDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { pendingNumberRequests } from '../numbers/requests.js';
import { notApprovedHome } from '../tenants/messages.js';
import { type HomeAbilities, type HomeData, homeAbilityActions, homeView } from './messages.js';

/**
 * The App Home tab: the tenant's connection and the endpoints and numbers it owns; for admins its
 * audit log; for operators the workspaces waiting for approval and the job queue of every tenant.
 */
export class HomeTab implements Feature {
  private readonly contexts: TenantContexts | undefined;

  constructor(private readonly services: HomeDeps) {
    this.contexts = services.novuScope ? new TenantContexts(services.store, services.novuScope) : undefined;
    // Drawn again wherever something it shows changed: with the request's client while a person waits, else the workspace's bot.
    services.events.on('homeChanged', async (actor, client) => {
      const publisher = client ?? (await services.bots.forWorkspace(actor.tenant.key));
      if (publisher) await this.publish(publisher, actor);
    });
  }

  register(app: SlackListeners, _router: CommandRouter): void {
    app.event('app_home_opened', async ({ event, client, context }) => {
      if (event.tab !== 'home') return;
      const actor = actorOf(context);
      if (context.tenantStatus === 'approved' || this.services.permissions.isOperator(actor.userId)) return this.publish(client, actor);
      await client.views.publish({ user_id: actor.userId, view: notApprovedHome(await this.services.tenants.find(actor.tenant.key)) });
    });
    app.action(/^home\.job\.retry(:.*)?$/, { may: 'jobs.manage', owns: { record: 'job', in: 'value' } }, (args: ButtonArgs) => this.retryJob(args));
  }

  /** Publishes from the store only: nothing here waits on Novu, Vapi or SignalWire. */
  async publish(client: WebClient, actor: Actor): Promise<void> {
    const abilities = await this.abilities(actor, client);
    const data = await this.load(actor, abilities, client);
    await client.views.publish({ user_id: actor.userId, view: homeView(data, abilities) });
  }

  private async load(actor: Actor, can: HomeAbilities, client: WebClient): Promise<HomeData> {
    const { store, installations, config, tenants } = this.services;
    const tenantKey = actor.tenant.key;
    const [stored, connection, endpoints, numbers, audit, routes, ownLinks, linkRequests] = await Promise.all([
      installations.find(tenantKey),
      store.connections.find(tenantKey),
      can.readEndpoints ? store.endpoints.page({ workspaceKey: tenantKey, types: ['phone'], limit: 5 }) : Promise.resolve([]),
      can.readNumbers ? store.numbers.list({ workspaceKey: tenantKey, limit: 5 }) : Promise.resolve([]),
      can.readAudit ? store.audit.list({ workspaceKey: tenantKey, limit: 10 }) : Promise.resolve([]),
      can.readRoutes ? store.endpoints.page({ workspaceKey: tenantKey, types: ['slack_channel', 'slack_user'], limit: 5 }) : Promise.resolve([]),
      store.endpoints.page({ workspaceKey: tenantKey, types: ['slack_user'], target: actor.userId, limit: 1 }),
      can.writeRoutes ? store.linkRequests.pending(tenantKey, 5) : Promise.resolve([]),
    ]);
    const data: HomeData = {
      workspaceName: tenantName(stored?.installation) ?? 'this workspace',
      novuConfigured: config.novu !== null,
      connection,
      endpoints,
      numbers,
      audit,
      ask: await this.services.permissions.whoCanHelp(actor, 'admins', client, { wait: true }),
      routes,
      ownLink: ownLinks[0],
      linkRequests,
    };
    if (can.manageJobs) {
      // Operators see every workspace's queue; anyone else whom the policy lets manage jobs, their own workspace's.
      const operator = this.services.permissions.isOperator(actor.userId);
      const [counts, dead, pending] = await Promise.all([
        operator ? store.jobs.countByStatus() : this.countsOf(tenantKey),
        store.jobs.list({ statuses: ['dead'], limit: 5, ...(operator ? {} : { workspaceKey: tenantKey }) }),
        // The newest eleven: the Home tab shows ten and says when more are waiting.
        operator ? store.tenants.list({ statuses: ['pending'], limit: 11 }) : Promise.resolve([]),
      ]);
      const names = await tenants.names(dead.map((job) => job.workspaceKey ?? '').filter(Boolean));
      const tenantOf = (job: (typeof dead)[number]) => (job.workspaceKey ? (names.get(job.workspaceKey) ?? job.workspaceKey) : undefined);
      data.jobs = { counts, dead: dead.map((job) => ({ job, tenant: tenantOf(job), label: this.services.queue.describe(job.kind) })) };
      data.pendingTenants = pending;
    }
    if (can.readNumbers) {
      const [count, latest] = await Promise.all([store.numberReports.countUnposted(tenantKey), store.numberReports.unposted(tenantKey, 3)]);
      data.unposted = { count, latest };
    }
    if (can.decideNumberRequests) data.numberRequests = await pendingNumberRequests(this.services, actor);
    if (this.contexts) {
      const [context, check] = await Promise.all([this.contexts.keysOf(actor.tenant), store.deliveryChecks.latest(tenantKey)]);
      data.delivery = { context, check: check?.report as DeliveryReport | undefined };
    }
    return data;
  }

  private async abilities(actor: Actor, client: WebClient): Promise<HomeAbilities> {
    const allowed = await Promise.all(
      Object.entries(homeAbilityActions).map(async ([ability, action]) => [ability, await this.services.permissions.allows(actor, action, client)]),
    );
    const can = Object.fromEntries(allowed) as HomeAbilities;
    // The number buttons also need their backend.
    const { vapi, signalwire } = this.services.backends;
    can.provisionVapi &&= Boolean(vapi);
    can.provisionSignalWire &&= Boolean(signalwire);
    can.decideNumberRequests &&= Boolean(vapi || signalwire);
    can.releaseNumbers &&= Boolean(vapi || signalwire);
    can.changeNumbers &&= Boolean(vapi || signalwire);
    can.reportNumbers &&= Boolean(vapi || signalwire);
    return can;
  }

  /** Gives a dead job (the caller's own workspace's; operators: anyone's) a fresh set of attempts; the worker runs it once more. */
  private async retryJob({ client, actor, action }: ButtonArgs): Promise<void> {
    const jobId = action.value ?? '';
    const revived = await this.services.queue.revive(jobId);
    await this.services.audit.record({
      action: 'job.retry',
      outcome: revived ? 'ok' : 'not-found',
      workspaceKey: actor.tenant.key,
      userId: actor.userId,
      backendId: jobId,
    });
    await this.publish(client, actor);
  }

  /** One workspace's jobs by state (the store counts only across every workspace). */
  private async countsOf(workspaceKey: WorkspaceKey): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, dead: 0 };
    const jobs = await this.services.store.jobs.list({ workspaceKey, statuses: ['pending', 'running', 'dead'], limit: 1_000 });
    for (const job of jobs) counts[job.status] = (counts[job.status] ?? 0) + 1;
    return counts;
  }
}
