import type { WebClient } from '@slack/web-api';
import type { NovuClient } from '../../backends/novu/client.js';
import type { ChannelEndpoint } from '../../backends/novu/schemas.js';
import { finishAudit, type JobDefinition, type JobFinish, TerminalJobError } from '../../jobs/queue.js';
import type { Replies, Reply } from '../../slack/replies.js';
import type { ConnectionRecord, OwnedEndpoint } from '../../store/types.js';
import { contextKeysOf, type NovuScope, sameContextKeys } from '../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import type { TenantContexts } from '../../tenancy/tenant-contexts.js';
import type { ConnectionDeps } from '../deps.js';
import { describeNovuFailure, novuJobStep } from '../novu-failures.js';
import { channelStanding, tenantMember } from '../routes/slack-checks.js';
import type { CheckPayload, ConnectionFinding, DeliveryReport, EndpointFinding } from './model.js';
import { labelOf } from './model.js';
import { recordedEndpoints, targetScope } from './moves.js';
import { tokenErrors } from './verdict.js';

const checkJob = 'novu.delivery.check';
/** Findings kept in a report; the rest are counted. */
const keptFindings = 50;

/**
 * `/connect check`: everything of the tenant that would not deliver, found the way Novu's worker
 * would find it — the connection and every route and phone endpoint in Novu, in the tenant's exact
 * context, on the right connection and integration — and the way Slack would answer a post, and
 * where SMS would go. Each finding says what to do, with a Fix where Switchboard can do it.
 */
export class DeliveryChecks {
  constructor(
    private readonly services: ConnectionDeps,
    private readonly novu: NovuClient,
    private readonly contexts: TenantContexts,
    private readonly scope: NovuScope,
    private readonly replies: Replies,
    /** The report as the person reads it: rendered by the feature's views. */
    private readonly render: (outcome: JobFinish<DeliveryReport>['outcome']) => Reply,
  ) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: checkJob,
        describe: 'check whether this workspace’s routes would deliver',
        run: (payload) => this.run(payload),
        onFinished: (finish) => this.afterCheck(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<CheckPayload, DeliveryReport>,
    ];
  }

  async enqueue(payload: CheckPayload, intent: string): Promise<void> {
    await this.services.queue.enqueue(checkJob, payload, {
      dedupeKey: `${checkJob}:${payload.workspaceKey}:${intent}`,
    });
  }

  private async run(payload: CheckPayload): Promise<DeliveryReport> {
    const tenant = tenantOfKey(payload.workspaceKey);
    const [connection, stored] = await Promise.all([this.services.store.connections.find(tenant.key), this.services.installations.find(tenant.key)]);
    if (!stored) throw new TerminalJobError('Switchboard is no longer installed in this workspace.');
    const keys = await this.contexts.keysOf(tenant);
    const client = this.services.bots.forToken(stored.installation.bot?.token ?? '');
    const report: DeliveryReport = { context: keys, endpoints: 0, findings: [], more: 0, checkedAt: Date.now() };
    const connectionFinding = await this.checkConnection(tenant, connection, client);
    if (connectionFinding) report.connection = connectionFinding;
    const inContext = await this.inContext(keys);
    const refused = connectionFinding?.kind === 'token-refused' ? connectionFinding.detail : undefined;
    const probe = new Probe(client, tenant, new Set(stored.installation.bot?.scopes ?? []), this.novu, refused);
    for await (const record of recordedEndpoints(this.services.store, tenant.key)) {
      report.endpoints += 1;
      const finding = await this.checkEndpoint(tenant, record, connection, keys, inContext, probe);
      if (!finding) continue;
      if (report.findings.length < keptFindings) report.findings.push(finding);
      else report.more += 1;
    }
    // Slack refused the token while the channels and people were asked about: that is the connection's finding.
    if (!report.connection && probe.refused) report.connection = { kind: 'token-refused', detail: probe.refused };
    return report;
  }

  /** The connection as Novu holds it: there, in the tenant's context, on an active Slack integration, with a token Slack takes. */
  private async checkConnection(tenant: Tenant, connection: ConnectionRecord | undefined, client: WebClient): Promise<ConnectionFinding | undefined> {
    if (!connection) return { kind: 'not-connected' };
    if (connection.state === 'pending' || connection.state === 'disconnecting') return { kind: 'in-progress' };
    if (connection.state === 'failed') return { kind: 'write-failed', detail: connection.lastError ?? undefined };
    const found = await novuJobStep(this.novu.findConnection(connection.identifier));
    if (!found) return { kind: 'missing-in-novu' };
    const keys = contextKeysOf(connection.context ?? {});
    if (!sameContextKeys(found.contextKeys, keys)) return { kind: 'context-differs', detail: (found.contextKeys ?? []).join(', ') || 'no context' };
    if (found.workspace?.id !== tenant.id) return { kind: 'other-workspace' };
    const integrationProblem = await this.services.integrations?.problem(connection.integrationIdentifier, 'slack');
    if (integrationProblem) return { kind: 'integration-inactive', detail: integrationProblem };
    const slackError = await client.auth.test().then(
      () => undefined,
      (error: unknown) => (error as { data?: { error?: string } }).data?.error,
    );
    return slackError ? { kind: 'token-refused', detail: slackError } : undefined;
  }

  /** What Novu holds in the tenant's exact context, a page of a hundred at a time. */
  private async inContext(keys: string[]): Promise<Map<string, ChannelEndpoint>> {
    const found = new Map<string, ChannelEndpoint>();
    let after: string | undefined;
    for (let page = 0; page < 500; page += 1) {
      // An empty context is asked for as `contextKeys=` (Novu: "records with no context").
      const answer = await novuJobStep(this.novu.listEndpoints({ contextKeys: keys.length > 0 ? keys : [''], limit: 100, after }));
      for (const endpoint of answer.data) found.set(endpoint.identifier, endpoint);
      if (!answer.next) break;
      after = answer.next;
    }
    return found;
  }

  private async checkEndpoint(
    tenant: Tenant,
    record: OwnedEndpoint,
    connection: ConnectionRecord | undefined,
    keys: string[],
    inContext: Map<string, ChannelEndpoint>,
    probe: Probe,
  ): Promise<EndpointFinding | undefined> {
    const finding = (kind: EndpointFinding['kind'], detail?: string): EndpointFinding => ({ endpoint: labelOf(record), kind, ...(detail ? { detail } : {}) });
    const copy = inContext.get(record.identifier) ?? (await novuJobStep(this.novu.findEndpoint(record.identifier)));
    // Novu's endpoint by that identifier in another tenant's scope is not this one: said as missing, nothing shown of it.
    const found = copy && this.scope.owns(tenant, copy.contextKeys) ? copy : undefined;
    if (!found) return finding('missing-in-novu');
    if (!sameContextKeys(found.contextKeys, keys)) return finding('context-differs', (found.contextKeys ?? []).join(', ') || 'no context');
    if (record.type !== 'phone' && connection) {
      const target = targetScope(tenant, record, connection);
      if ((found.connectionIdentifier ?? null) !== target.connectionIdentifier || found.integrationIdentifier !== target.integrationIdentifier) {
        return finding('connection-differs', `${found.integrationIdentifier ?? '?'} / ${found.connectionIdentifier ?? 'no connection'}`);
      }
    }
    const integrations = await novuJobStep(this.services.integrations?.list() ?? Promise.resolve([]));
    const integration = integrations.find((candidate) => candidate.identifier === record.integrationIdentifier);
    if (!integration) return finding('integration-inactive', record.integrationIdentifier);
    if (record.type === 'slack_channel') return probe.channel(record.target).then((kind) => (kind ? finding(kind) : undefined));
    if (record.type === 'slack_user') return (await probe.person(record.target)) ? undefined : finding('person-gone');
    if (integration.channel !== 'sms') return undefined;
    const current = await novuJobStep(probe.phone(record.subscriberId));
    if (current === undefined) return finding('subscriber-gone');
    if (!current) return finding('no-phone');
    return current === record.target ? undefined : { ...finding('other-phone', current), phone: current };
  }

  private async afterCheck({ payload, outcome, once, audit }: JobFinish<DeliveryReport, CheckPayload>): Promise<void> {
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
      ...finishAudit(payload, outcome),
      backend: 'novu',
      detail: outcome.status === 'done' ? { endpoints: outcome.result.endpoints, findings: outcome.result.findings.length + outcome.result.more } : undefined,
    });
    await once('reply', () => this.replies.send(payload.workspaceKey, payload.requestedBy, payload.replyTo, this.render(outcome)));
    // The App Home shows the latest check.
    await this.services.events.emit('homeChanged', { userId: payload.requestedBy, tenant: tenantOfKey(payload.workspaceKey) });
  }
}

/** What a check asks once per channel, person or subscriber: Slack, with the tenant's own token, and Novu. */
class Probe {
  private readonly answers = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: WebClient,
    private readonly tenant: Tenant,
    private readonly scopes: ReadonlySet<string>,
    private readonly novu: NovuClient,
    /** Slack's answer when it refused the token: nothing more is asked of Slack, which would answer the same. */
    public refused: string | undefined,
  ) {}

  /** Why Novu could not post in the channel with this token, if it could not. */
  channel(channelId: string): Promise<EndpointFinding['kind'] | undefined> {
    return this.once(`channel:${channelId}`, () =>
      this.askSlack(async () => {
        const standing = await channelStanding(this.client, channelId);
        if (standing.kind === 'archived') return 'channel-archived';
        if (standing.kind === 'invite' || standing.kind === 'direct') return 'channel-not-visible';
        // A public channel the bot is not in takes its posts only with chat:write.public.
        if (standing.kind === 'public' && !this.scopes.has('chat:write.public')) return 'not-in-channel';
        return undefined;
      }, undefined),
    );
  }

  person(userId: string): Promise<boolean> {
    return this.askSlack(async () => (await tenantMember(this.client, this.tenant, userId)) !== undefined, true);
  }

  /** Slack's answer, or `unknown` once Slack refuses the token (then the connection is the finding, not each route). */
  private async askSlack<T>(ask: () => Promise<T>, unknown: T): Promise<T> {
    if (this.refused) return unknown;
    try {
      return await ask();
    } catch (error) {
      const slackError = (error as { data?: { error?: string } }).data?.error;
      if (!slackError || !tokenErrors.has(slackError)) throw error;
      this.refused = slackError;
      return unknown;
    }
  }

  /** The subscriber's phone in Novu: null when it has none, undefined when Novu has no such subscriber. */
  phone(subscriberId: string): Promise<string | null | undefined> {
    return this.once(`phone:${subscriberId}`, async () => {
      const subscriber = await this.novu.findSubscriber(subscriberId);
      return subscriber ? (subscriber.phone ?? null) : undefined;
    });
  }

  private once<T>(key: string, ask: () => Promise<T>): Promise<T> {
    let answer = this.answers.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = ask();
      this.answers.set(key, answer);
    }
    return answer;
  }
}
