import type { NovuClient } from '../../backends/novu/client.js';
import type { CreateSlackChannelEndpointBody, CreateSlackUserEndpointBody } from '../../backends/novu/schemas.js';
import { type Accepted, finishAudit, type JobDefinition, type JobFinish, type JobRunContext, type Requester, TerminalJobError } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { ConnectionRecord, JobRecord, LinkRequest, OwnedEndpointType, WorkspaceKey } from '../../store/types.js';
import type { NovuScope } from '../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import type { TenantSubscribers } from '../../tenancy/tenant-subscribers.js';
import { sha256 } from '../../util/ids.js';
import type { RouteDeps } from '../deps.js';
import { EndpointWriteError, EndpointWriter, type RemovedEndpoint, type WrittenEndpoint, withContext } from '../endpoint-writer.js';
import { describeNovuFailure } from '../novu-failures.js';
import { channelStanding, tenantMember } from './slack-checks.js';

export type RouteType = 'slack_channel' | 'slack_user';
export const routeTypes: readonly OwnedEndpointType[] = ['slack_channel', 'slack_user'];

export interface RoutePayload extends Requester {
  type: RouteType;
  /** The channel id, or the user id. */
  target: string;
  subscriberId: string;
  /** Set for a member of a "link everyone" run: the run (the tenant's own) vouches for the member. */
  linkRunId?: string;
  /** Set for an approved link request: the member who asked hears the outcome from the follow-up. */
  linkRequestId?: string;
}

export type RemoveRoutePayload = Pick<RoutePayload, 'workspaceKey' | 'requestedBy'> & {
  identifier: string;
  /** What the route delivered, as the list showed it: the result says it by name. */
  route?: Pick<RoutePayload, 'type' | 'target' | 'subscriberId'>;
};

export const createRouteJob = 'novu.route.create';
export const removeRouteJob = 'novu.route.remove';
export const clearRoutesJob = 'novu.routes.clear';

/** One identifier per (tenant, integration, subscriber, channel or user): asking twice finds the first. */
export function routeIdentifier(tenantId: string, integrationIdentifier: string, type: RouteType, subscriberId: string, target: string): string {
  const digest = sha256(`${tenantId}\u0000${integrationIdentifier}\u0000${type}\u0000${subscriberId}\u0000${target}`).slice(0, 16);
  return `${type === 'slack_channel' ? 'slack-channel' : 'slack-user'}-${digest}`;
}

const notThisWorkspaces = (identifier: string) =>
  new TerminalJobError(`There is no Slack route ${identifier} in this workspace (Switchboard only changes the routes a workspace made).`);

type CreatedListener = (payload: RoutePayload, outcome: JobFinish<WrittenEndpoint>['outcome']) => Promise<void>;

/** The direct messages a finished route job sends: rendered by the feature's views, handed in where the jobs are made. */
export interface RouteNotes {
  created(payload: RoutePayload, outcome: JobFinish<WrittenEndpoint>['outcome']): SlackMessage;
  removed(payload: RemoveRoutePayload, outcome: JobFinish<RemovedEndpoint>['outcome']): SlackMessage;
  linkDecided(request: LinkRequest, outcome: { linked: boolean; error?: string }): SlackMessage;
}

/**
 * Slack routes through the durable queue: `slack_channel` and `slack_user` endpoints bound to the
 * tenant's own Novu connection and scope. When a job runs it checks, with the tenant's own bot
 * token, that the channel or person is the tenant's, so no workspace can route into another's.
 */
export class RouteJobs {
  private readonly writer: EndpointWriter;
  /** Which subscribers the tenant may route: forms check early, the write checks again. */
  readonly subscribers: TenantSubscribers;
  private readonly createdListeners: CreatedListener[] = [];

  constructor(
    private readonly services: RouteDeps,
    novu: NovuClient,
    scope: NovuScope,
    private readonly notes: RouteNotes,
  ) {
    this.writer = new EndpointWriter(services, novu, scope);
    this.subscribers = this.writer.subscribers;
  }

  get definitions(): JobDefinition[] {
    return [
      {
        kind: createRouteJob,
        describe: 'write a Slack route in Novu',
        run: (payload, context) => this.create(payload, context),
        onFinished: (finish) => this.afterCreate(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<RoutePayload, WrittenEndpoint>,
      {
        kind: removeRouteJob,
        describe: 'remove a Slack route from Novu',
        run: (payload, context) => this.remove(payload, context),
        onFinished: (finish) => this.afterRemove(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<RemoveRoutePayload, RemovedEndpoint>,
      {
        kind: clearRoutesJob,
        describe: 'remove an uninstalled workspace’s routes',
        run: (payload, context) => this.clear(payload.workspaceKey, context),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<{ workspaceKey: WorkspaceKey }, { removed: number }>,
    ];
  }

  /** Called when a create job finishes (a "link everyone" run follows its members this way). */
  onCreated(listener: CreatedListener): void {
    this.createdListeners.push(listener);
  }

  /** Stores a route for a person waiting; `run` writes it. */
  acceptCreate(payload: RoutePayload, intent: string): Promise<Accepted<WrittenEndpoint>> {
    return this.services.queue.accept<WrittenEndpoint>(createRouteJob, payload, `${createRouteJob}:${intent}`);
  }

  /** Queued for the worker; the same `dedupeKey` again is the same job. */
  enqueueCreate(payload: RoutePayload, dedupeKey: string): Promise<{ job: JobRecord; created: boolean }> {
    return this.services.queue.enqueue(createRouteJob, payload, { dedupeKey });
  }

  acceptRemove(payload: RemoveRoutePayload, intent: string): Promise<Accepted<RemovedEndpoint>> {
    return this.services.queue.accept<RemovedEndpoint>(removeRouteJob, payload, `${removeRouteJob}:${payload.workspaceKey}:${payload.identifier}:${intent}`);
  }

  /** Every route of the tenant goes (after an uninstall); queued once per uninstall intent. */
  async enqueueClear(workspaceKey: WorkspaceKey, intent: string): Promise<void> {
    await this.services.queue.enqueue(clearRoutesJob, { workspaceKey }, { dedupeKey: `${clearRoutesJob}:${workspaceKey}:${intent}` });
  }

  /** The tenant's connection, if Novu confirmed it: routes are bound to it. */
  async usableConnection(workspaceKey: WorkspaceKey): Promise<ConnectionRecord | undefined> {
    const connection = await this.services.store.connections.find(workspaceKey);
    return connection && connection.state !== 'disconnecting' && connection.syncedAt !== null ? connection : undefined;
  }

  private async create(payload: RoutePayload, context: JobRunContext): Promise<WrittenEndpoint> {
    const tenant = tenantOfKey(payload.workspaceKey);
    const connection = await this.usableConnection(tenant.key);
    if (!connection) {
      throw new EndpointWriteError({ reason: 'This workspace is not connected to Novu', hint: 'Connect it with /connect setup first.', terminal: true });
    }
    await this.assertTenantsOwn(tenant, payload);
    const { integrationIdentifier, identifier: connectionIdentifier } = connection;
    const identifier = routeIdentifier(tenant.id, integrationIdentifier, payload.type, payload.subscriberId, payload.target);
    const common = { identifier, subscriberId: payload.subscriberId, integrationIdentifier, connectionIdentifier };
    const body: CreateSlackChannelEndpointBody | CreateSlackUserEndpointBody =
      payload.type === 'slack_channel'
        ? { ...common, type: 'slack_channel', endpoint: { channelId: payload.target } }
        : { ...common, type: 'slack_user', endpoint: { userId: payload.target } };
    // The connection's own context set: Novu's worker finds the route's connection only under the trigger's exact context.
    return this.writer.create(tenant, payload.requestedBy, withContext(body, connection.context ?? {}), context);
  }

  /** The channel or person must be the tenant's, as the tenant's own bot token sees it (or as its own link run recorded). */
  private async assertTenantsOwn(tenant: Tenant, payload: RoutePayload): Promise<void> {
    if (payload.linkRunId && (await this.vouchedByRun(tenant, payload))) return;
    const client = await this.services.bots.forWorkspace(tenant.key);
    if (!client) throw new TerminalJobError('Switchboard is no longer installed in this workspace.');
    if (payload.type === 'slack_channel') {
      const standing = await channelStanding(client, payload.target);
      if (standing.kind === 'member' || standing.kind === 'public') return;
      const reasons = {
        invite: 'Switchboard cannot see that channel in this workspace (invite it to a private channel first)',
        archived: 'That channel is archived',
        direct: 'Direct messages are reached by linking the person (/connect link), not as a channel',
      } as const;
      throw new EndpointWriteError({ reason: reasons[standing.kind], field: 'channel', terminal: true });
    }
    if (!(await tenantMember(client, tenant, payload.target))) {
      throw new EndpointWriteError({ reason: 'That person is not an active member of this workspace', field: 'user', terminal: true });
    }
  }

  private async vouchedByRun(tenant: Tenant, payload: RoutePayload): Promise<boolean> {
    const run = payload.linkRunId ? await this.services.store.linkRuns.get(payload.linkRunId) : undefined;
    if (run?.workspaceKey !== tenant.key || payload.type !== 'slack_user') return false;
    const item = await this.services.store.linkRuns.item(run.id, payload.target);
    return (item?.state === 'matched' || item?.state === 'linked') && item.subscriberId === payload.subscriberId;
  }

  private remove({ workspaceKey, requestedBy, identifier }: RemoveRoutePayload, context: JobRunContext): Promise<RemovedEndpoint> {
    return this.writer.remove(tenantOfKey(workspaceKey), requestedBy, identifier, routeTypes, context, () => notThisWorkspaces(identifier));
  }

  private async clear(workspaceKey: WorkspaceKey, context: JobRunContext): Promise<{ removed: number }> {
    const tenant = tenantOfKey(workspaceKey);
    let removed = 0;
    for (;;) {
      const page = await this.services.store.endpoints.page({ workspaceKey, types: [...routeTypes], limit: 50 });
      if (page.length === 0) return { removed };
      for (const route of page) {
        await this.writer.remove(tenant, route.createdBy, route.identifier, routeTypes, context, () => notThisWorkspaces(route.identifier));
        removed += 1;
      }
    }
  }

  private async afterCreate(finish: JobFinish<WrittenEndpoint, RoutePayload>): Promise<void> {
    const { payload, outcome, deliveredInline, once, audit, tell } = finish;
    await audit({
      action: 'route.create',
      ...finishAudit(payload, outcome),
      target: payload.subscriberId,
      backend: 'novu',
      backendId: outcome.status === 'done' ? outcome.result.endpoint.identifier : undefined,
      detail: {
        [payload.type === 'slack_channel' ? 'channel' : 'user']: payload.target,
        existing: outcome.status === 'done' ? outcome.result.existing : undefined,
        run: payload.linkRunId,
      },
    });
    await once('listeners', async () => {
      for (const listener of this.createdListeners) await listener(payload, outcome);
    });
    const linkRequest = payload.linkRequestId ? await this.services.store.linkRequests.get(payload.linkRequestId) : undefined;
    if (linkRequest) {
      const decided = outcome.status === 'done' ? { linked: true } : { linked: false, error: outcome.error };
      await tell(payload.workspaceKey, linkRequest.userId, this.notes.linkDecided(linkRequest, decided));
    }
    if (!deliveredInline && !payload.linkRunId) await tell(payload.workspaceKey, payload.requestedBy, this.notes.created(payload, outcome));
  }

  private async afterRemove({ payload, outcome, deliveredInline, audit, tell }: JobFinish<RemovedEndpoint, RemoveRoutePayload>): Promise<void> {
    await audit({
      action: 'route.remove',
      ...finishAudit(payload, outcome),
      backend: 'novu',
      backendId: payload.identifier,
    });
    if (!deliveredInline) await tell(payload.workspaceKey, payload.requestedBy, this.notes.removed(payload, outcome));
  }
}
