import type { WebClient } from '@slack/web-api';
import type { NovuClient } from '../../backends/novu/client.js';
import { isNovuNotFound } from '../../backends/novu/explain.js';
import type { IntegrationCatalog } from '../../backends/novu/integrations.js';
import type { ChannelEndpoint } from '../../backends/novu/schemas.js';
import { type JobDefinition, type JobFinish, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { Replies, Reply } from '../../slack/replies.js';
import type { ConnectionRecord, OwnedEndpoint } from '../../store/types.js';
import { contextKeysOf, type NovuScope, sameContextKeys } from '../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import type { TenantContexts } from '../../tenancy/tenant-contexts.js';
import type { DeliveryDeps } from '../deps.js';
import { asNovuJobError, describeNovuFailure } from '../novu-failures.js';
import { channelStanding, tenantMember } from '../routes/slack-checks.js';
import type { CheckPayload, ConnectionFinding, DeliveryReport, EndpointFinding } from './model.js';
import { labelOf } from './model.js';
import { targetScope } from './moves.js';

export const checkJob = 'novu.delivery.check';
/** Findings kept in a report; the rest are counted. */
const keptFindings = 50;
const pageSize = 100;

/**
 * `/connect check`: everything of the tenant that would not deliver, found the way Novu's worker
 * would find it — the connection and every route and phone endpoint in Novu, in the tenant's exact
 * context, on the right connection and integration — and the way Slack would answer a post, and
 * where SMS would go. Each finding says what to do, with a Fix where Switchboard can do it.
 */
export class DeliveryChecks {
  constructor(
    private readonly services: DeliveryDeps,
    private readonly novu: NovuClient,
    private readonly contexts: TenantContexts,
    private readonly scope: NovuScope,
    private readonly replies: Replies,
    /** The report as the person reads it: rendered by the feature's views. */
    private readonly render: (outcome: JobFinish<DeliveryReport>['outcome']) => Reply,
  ) {}

  /** The jobs this part runs: registered with the queue when the app starts. */
  get definitions(): JobDefinition[] {
    return [
      {
        kind: checkJob,
        run: (payload, context) => this.run(payload, context),
        onFinished: (finish) => this.afterCheck(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<CheckPayload, DeliveryReport>,
    ];
  }

  async enqueue(payload: CheckPayload, intent: string): Promise<void> {
    await this.services.queue.enqueue(checkJob, payload, {
      dedupeKey: `${checkJob}:${payload.workspaceKey}:${intent}`,
      workspaceKey: payload.workspaceKey,
      requestedBy: payload.requestedBy,
    });
  }

  private async run(payload: CheckPayload, _context: JobRunContext): Promise<DeliveryReport> {
    const tenant = tenantOfKey(payload.workspaceKey);
    const [connection, stored] = await Promise.all([this.services.store.connections.find(tenant.key), this.services.installations.find(tenant.key)]);
    if (!stored) throw new TerminalJobError('Switchboard is no longer installed in this workspace.');
    const keys = await this.contexts.keysOf(tenant);
    const client = this.services.bots.forToken(stored.installation.bot?.token ?? '');
    const report: DeliveryReport = { context: keys, endpoints: 0, findings: [], more: 0, checkedAt: Date.now() };
    const connectionFinding = await this.checkConnection(tenant, connection, client);
    if (connectionFinding) report.connection = connectionFinding;
    const inContext = await this.inContext(keys);
    const probe = new SlackProbe(client, tenant, new Set(stored.installation.bot?.scopes ?? []));
    const subscribers = new Map<string, Promise<string | null | undefined>>();
    let after: { createdAt: number; identifier: string } | undefined;
    for (;;) {
      const page = await this.services.store.endpoints.page({ workspaceKey: tenant.key, after, limit: pageSize });
      for (const record of page) {
        report.endpoints += 1;
        const finding = await this.checkEndpoint(tenant, record, connection, keys, inContext, probe, subscribers);
        if (!finding) continue;
        if (report.findings.length < keptFindings) report.findings.push(finding);
        else report.more += 1;
      }
      const last = page.at(-1);
      if (!last || page.length < pageSize) break;
      after = { createdAt: last.createdAt, identifier: last.identifier };
    }
    return report;
  }

  /** The connection as Novu holds it: there, in the tenant's context, on an active Slack integration, with a token Slack takes. */
  private async checkConnection(tenant: Tenant, connection: ConnectionRecord | undefined, client: WebClient): Promise<ConnectionFinding | undefined> {
    if (!connection) return { kind: 'not-connected' };
    if (connection.state === 'pending' || connection.state === 'disconnecting') return { kind: 'in-progress' };
    if (connection.state === 'failed') return { kind: 'write-failed', detail: connection.lastError ?? undefined };
    let found: Awaited<ReturnType<NovuClient['findConnection']>>;
    try {
      found = await this.novu.findConnection(connection.identifier);
    } catch (error) {
      throw asNovuJobError(error);
    }
    if (!found) return { kind: 'missing-in-novu' };
    const keys = contextKeysOf(connection.context ?? {});
    if (!sameContextKeys(found.contextKeys, keys)) return { kind: 'context-differs', detail: (found.contextKeys ?? []).join(', ') || 'no context' };
    if (found.workspace?.id !== tenant.id) return { kind: 'other-workspace' };
    const integrationProblem = await this.services.integrations?.problem(connection.integrationIdentifier, 'slack');
    if (integrationProblem) return { kind: 'integration-inactive', detail: integrationProblem };
    try {
      await client.auth.test();
    } catch (error) {
      const slackError = (error as { data?: { error?: string } }).data?.error;
      if (slackError) return { kind: 'token-refused', detail: slackError };
    }
    return undefined;
  }

  /** What Novu holds in the tenant's exact context, a page of a hundred at a time. */
  private async inContext(keys: string[]): Promise<Map<string, ChannelEndpoint>> {
    const found = new Map<string, ChannelEndpoint>();
    let after: string | undefined;
    try {
      for (let page = 0; page < 500; page += 1) {
        // An empty context is asked for as `contextKeys=` (Novu: "records with no context").
        const answer = await this.novu.listEndpoints({ contextKeys: keys.length > 0 ? keys : [''], limit: 100, after });
        for (const endpoint of answer.data) found.set(endpoint.identifier, endpoint);
        if (!answer.next) break;
        after = answer.next;
      }
    } catch (error) {
      throw asNovuJobError(error);
    }
    return found;
  }

  private async checkEndpoint(
    tenant: Tenant,
    record: OwnedEndpoint,
    connection: ConnectionRecord | undefined,
    keys: string[],
    inContext: Map<string, ChannelEndpoint>,
    probe: SlackProbe,
    subscribers: Map<string, Promise<string | null | undefined>>,
  ): Promise<EndpointFinding | undefined> {
    const finding = (kind: EndpointFinding['kind'], detail?: string): EndpointFinding => ({ endpoint: labelOf(record), kind, ...(detail ? { detail } : {}) });
    const copy = inContext.get(record.identifier) ?? (await this.find(record.identifier));
    // Novu's endpoint by that identifier in another tenant's scope is not this one: said as missing, nothing shown of it.
    const found = copy && this.scope.owns(tenant, copy.contextKeys) ? copy : undefined;
    if (!found) return finding('missing-in-novu');
    if (!sameContextKeys(found.contextKeys, keys)) return finding('context-differs', (found.contextKeys ?? []).join(', ') || 'no context');
    const isRoute = record.type !== 'phone';
    if (isRoute && connection) {
      const target = targetScope(tenant, record, connection);
      if ((found.connectionIdentifier ?? null) !== target.connectionIdentifier || found.integrationIdentifier !== target.integrationIdentifier) {
        return finding('connection-differs', `${found.integrationIdentifier ?? '?'} / ${found.connectionIdentifier ?? 'no connection'}`);
      }
    }
    let integrations: Awaited<ReturnType<IntegrationCatalog['list']>>;
    try {
      integrations = (await this.services.integrations?.list()) ?? [];
    } catch (error) {
      throw asNovuJobError(error);
    }
    const integration = integrations.find((candidate) => candidate.identifier === record.integrationIdentifier);
    if (!integration) return finding('integration-inactive', record.integrationIdentifier);
    if (record.type === 'slack_channel') return probe.channel(record.target).then((kind) => (kind ? finding(kind) : undefined));
    if (record.type === 'slack_user') return (await probe.person(record.target)) ? undefined : finding('person-gone');
    if (integration.channel !== 'sms') return undefined;
    let phone = subscribers.get(record.subscriberId);
    if (!phone) {
      phone = this.novu.findSubscriber(record.subscriberId).then((subscriber) => (subscriber ? (subscriber.phone ?? null) : undefined));
      subscribers.set(record.subscriberId, phone);
    }
    const current = await phone.catch((error: unknown) => Promise.reject(asNovuJobError(error)));
    if (current === undefined) return finding('subscriber-gone');
    if (!current) return finding('no-phone');
    return current === record.target ? undefined : { ...finding('other-phone', current), phone: current };
  }

  private async find(identifier: string): Promise<ChannelEndpoint | undefined> {
    try {
      return await this.novu.findEndpoint(identifier);
    } catch (error) {
      if (isNovuNotFound(error)) return undefined;
      throw asNovuJobError(error);
    }
  }

  private async afterCheck({ job, outcome, once, audit }: JobFinish<DeliveryReport>): Promise<void> {
    const payload = job.payload as CheckPayload;
    if (outcome.status === 'done') {
      await this.services.store.deliveryChecks.save({
        workspaceKey: payload.workspaceKey,
        requestedBy: payload.requestedBy,
        checkedAt: outcome.result.checkedAt,
        report: outcome.result,
      });
    }
    await audit({
      action: 'delivery.check',
      outcome: outcome.status === 'failed' ? 'failed' : 'ok',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      backend: 'novu',
      error: outcome.status === 'failed' ? outcome.error : undefined,
      detail: outcome.status === 'done' ? { endpoints: outcome.result.endpoints, findings: outcome.result.findings.length + outcome.result.more } : undefined,
    });
    await once('reply', () => this.replies.send(payload.workspaceKey, payload.requestedBy, payload.replyTo, this.render(outcome)));
    // The App Home shows the latest check.
    await this.services.events.emit('homeChanged', { userId: payload.requestedBy, tenant: tenantOfKey(payload.workspaceKey) });
  }
}

/** Slack's view of where routes post, asked once per channel or person with the tenant's own token. */
class SlackProbe {
  private readonly channels = new Map<string, Promise<EndpointFinding['kind'] | undefined>>();

  constructor(
    private readonly client: WebClient,
    private readonly tenant: Tenant,
    private readonly scopes: ReadonlySet<string>,
  ) {}

  /** Why Novu could not post in the channel with this token, if it could not. */
  channel(channelId: string): Promise<EndpointFinding['kind'] | undefined> {
    let answer = this.channels.get(channelId);
    if (!answer) {
      answer = channelStanding(this.client, channelId).then((standing) => {
        if (standing.kind === 'archived') return 'channel-archived';
        if (standing.kind === 'invite' || standing.kind === 'direct') return 'channel-not-visible';
        // A public channel the bot is not in takes its posts only with chat:write.public.
        if (standing.kind === 'public' && !this.scopes.has('chat:write.public')) return 'not-in-channel';
        return undefined;
      });
      this.channels.set(channelId, answer);
    }
    return answer;
  }

  async person(userId: string): Promise<boolean> {
    return (await tenantMember(this.client, this.tenant, userId)) !== undefined;
  }
}
