import { createHttpClient, type HttpClient, pickerTiming, type RetryMode } from '../../http/client.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { describeNestError } from '../vendor-errors.js';
import { isNovuNotFound } from './explain.js';
import {
  type Activity,
  activityPageSchema,
  type ChannelConnection,
  type ChannelEndpoint,
  type ConnectionAuth,
  type ConnectionPage,
  type CreateConnectionBody,
  type CreateEndpointBody,
  type CreateSubscriberBody,
  type CreateWorkflowBody,
  channelConnectionSchema,
  channelEndpointSchema,
  connectionPageSchema,
  type EndpointPage,
  endpointPageSchema,
  type Integration,
  integrationListSchema,
  messagePageSchema,
  type NovuMessage,
  type Subscriber,
  subscriberPageSchema,
  subscriberSchema,
  type TriggerBody,
  type TriggerResult,
  triggerResultSchema,
  type Workflow,
  workflowSchema,
} from './schemas.js';

/**
 * One send of a write. The HTTP core retries it only when it certainly never reached Novu's
 * handler (429, connection refused) — with the same key, which Novu has not stored then. Lost
 * answers are for `writeOnce` to settle.
 */
export interface WriteOptions {
  idempotencyKey: string;
  /** `none` for a single attempt. */
  retry?: 'unsent' | 'none';
  deadlineMs?: number;
}

/** The live API wraps single results as `{data: …}`; unwrap a body whose only key is `data`. */
export function unwrapData(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    if (keys.length === 1 && keys[0] === 'data') return (body as { data: unknown }).data;
  }
  return body;
}

/** A read that answers undefined for Novu's 404 "not found" (not for "Feature not enabled"). */
async function orNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isNovuNotFound(error)) return undefined;
    throw error;
  }
}

/** Novu's channel connections, channel endpoints and integrations (`/v1`, `Authorization: ApiKey …`). */
export class NovuClient {
  private readonly http: HttpClient;

  constructor(options: { apiUrl: string; secretKey: string; timeoutMs: number; logger: Logger; metrics?: Metrics }) {
    this.http = createHttpClient({
      backend: 'novu',
      baseUrl: options.apiUrl,
      headers: () => ({ authorization: `ApiKey ${options.secretKey}` }),
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      metrics: options.metrics,
      describeError: describeNestError,
      unwrap: unwrapData,
    });
  }

  createConnection(body: CreateConnectionBody, options: WriteOptions): Promise<ChannelConnection> {
    return this.http.request({
      operation: 'channelConnections.create',
      method: 'POST',
      path: '/v1/channel-connections',
      body,
      response: channelConnectionSchema,
      ...options,
      retry: options.retry ?? 'unsent',
    });
  }

  updateConnection(
    identifier: string,
    body: { workspace: { id: string; name?: string }; auth: ConnectionAuth },
    options: WriteOptions,
  ): Promise<ChannelConnection> {
    return this.http.request({
      operation: 'channelConnections.update',
      method: 'PATCH',
      path: '/v1/channel-connections/{id}',
      params: { id: identifier },
      body,
      response: channelConnectionSchema,
      ...options,
      retry: options.retry ?? 'unsent',
    });
  }

  /** The connection, or undefined when Novu has none by that identifier. */
  findConnection(identifier: string): Promise<ChannelConnection | undefined> {
    return orNotFound(this.getConnection(identifier));
  }

  getConnection(identifier: string): Promise<ChannelConnection> {
    return this.http.request({
      operation: 'channelConnections.get',
      method: 'GET',
      path: '/v1/channel-connections/{id}',
      params: { id: identifier },
      response: channelConnectionSchema,
    });
  }

  deleteConnection(identifier: string, options: { retry?: RetryMode; deadlineMs?: number } = {}): Promise<void> {
    return this.http.request({
      operation: 'channelConnections.delete',
      method: 'DELETE',
      path: '/v1/channel-connections/{id}',
      params: { id: identifier },
      ...options,
    });
  }

  listConnections(query: {
    integrationIdentifier?: string;
    subscriberId?: string;
    contextKeys?: string[];
    limit?: number;
    after?: string;
  }): Promise<ConnectionPage> {
    return this.http.request({ operation: 'channelConnections.list', method: 'GET', path: '/v1/channel-connections', query, response: connectionPageSchema });
  }

  createEndpoint(body: CreateEndpointBody, options: WriteOptions): Promise<ChannelEndpoint> {
    return this.http.request({
      operation: 'channelEndpoints.create',
      method: 'POST',
      path: '/v1/channel-endpoints',
      body,
      response: channelEndpointSchema,
      ...options,
      retry: options.retry ?? 'unsent',
    });
  }

  findEndpoint(identifier: string): Promise<ChannelEndpoint | undefined> {
    return orNotFound(this.getEndpoint(identifier));
  }

  getEndpoint(identifier: string): Promise<ChannelEndpoint> {
    return this.http.request({
      operation: 'channelEndpoints.get',
      method: 'GET',
      path: '/v1/channel-endpoints/{id}',
      params: { id: identifier },
      response: channelEndpointSchema,
    });
  }

  deleteEndpoint(identifier: string, options: { retry?: RetryMode; deadlineMs?: number } = {}): Promise<void> {
    return this.http.request({
      operation: 'channelEndpoints.delete',
      method: 'DELETE',
      path: '/v1/channel-endpoints/{id}',
      params: { id: identifier },
      ...options,
    });
  }

  listEndpoints(query: {
    subscriberId?: string;
    integrationIdentifier?: string;
    /** The exact context set (`type:id` each), in any order. */
    contextKeys?: string[];
    limit?: number;
    after?: string;
    orderDirection?: 'ASC' | 'DESC';
    orderBy?: string;
  }): Promise<EndpointPage> {
    return this.http.request({ operation: 'channelEndpoints.list', method: 'GET', path: '/v1/channel-endpoints', query, response: endpointPageSchema });
  }

  findSubscriber(subscriberId: string): Promise<Subscriber | undefined> {
    return orNotFound(this.getSubscriber(subscriberId));
  }

  getSubscriber(subscriberId: string): Promise<Subscriber> {
    return this.http.request({
      operation: 'subscribers.get',
      method: 'GET',
      path: '/v2/subscribers/{id}',
      params: { id: subscriberId },
      response: subscriberSchema,
    });
  }

  /** Subscribers whose email is exactly this one (Novu's search is exact and case-sensitive). */
  async subscribersWithEmail(email: string): Promise<Subscriber[]> {
    const page = await this.http.request({
      operation: 'subscribers.search',
      method: 'GET',
      path: '/v2/subscribers',
      query: { email, limit: 10 },
      response: subscriberPageSchema,
    });
    return page.data;
  }

  /** Creates a subscriber; `failIfExists` makes Novu answer 409 instead of changing an existing one. */
  createSubscriber(body: CreateSubscriberBody, options: WriteOptions): Promise<Subscriber> {
    return this.http.request({
      operation: 'subscribers.create',
      method: 'POST',
      path: '/v2/subscribers',
      query: { failIfExists: true },
      body,
      response: subscriberSchema,
      ...options,
      retry: options.retry ?? 'unsent',
    });
  }

  /** Sets (or, with null, clears) the subscriber's own phone: the number Novu's SMS steps send to. */
  updateSubscriberPhone(subscriberId: string, phone: string | null, options: WriteOptions): Promise<Subscriber> {
    return this.http.request({
      operation: 'subscribers.patch',
      method: 'PATCH',
      path: '/v2/subscribers/{id}',
      params: { id: subscriberId },
      body: { phone },
      response: subscriberSchema,
      ...options,
      retry: options.retry ?? 'unsent',
    });
  }

  /** Queues a workflow run for Novu's worker; `processed` means accepted, not delivered. */
  trigger(body: TriggerBody, options: WriteOptions): Promise<TriggerResult> {
    return this.http.request({
      operation: 'events.trigger',
      method: 'POST',
      path: '/v1/events/trigger',
      body,
      response: triggerResultSchema,
      ...options,
      // A lost answer is settled by the caller: Novu's worker refuses a transactionId it has seen, so triggering again delivers once.
      retry: options.retry ?? 'unsent',
    });
  }

  findWorkflow(workflowId: string): Promise<Workflow | undefined> {
    return orNotFound(
      this.http.request({ operation: 'workflows.get', method: 'GET', path: '/v2/workflows/{id}', params: { id: workflowId }, response: workflowSchema }),
    );
  }

  createWorkflow(body: CreateWorkflowBody, options: WriteOptions): Promise<Workflow> {
    return this.http.request({
      operation: 'workflows.create',
      method: 'POST',
      path: '/v2/workflows',
      body,
      response: workflowSchema,
      ...options,
      retry: options.retry ?? 'unsent',
    });
  }

  /** Novu's activity record of a trigger: one notification per subscriber, with each step's job and its execution details. */
  async activities(transactionId: string): Promise<Activity[]> {
    const page = await this.http.request({
      operation: 'notifications.list',
      method: 'GET',
      path: '/v1/notifications',
      query: { transactionId, limit: 10 },
      response: activityPageSchema,
    });
    return page.data;
  }

  /** The messages a trigger made (one per chat integration, one per SMS step), with their status and errors. */
  async messages(transactionId: string): Promise<NovuMessage[]> {
    const page = await this.http.request({
      operation: 'messages.list',
      method: 'GET',
      path: '/v1/messages',
      query: { transactionId: [transactionId], limit: 100 },
      response: messagePageSchema,
    });
    return page.data;
  }

  /** Active integrations; Novu has no server-side filter, so callers filter by channel and provider. */
  async listActiveIntegrations(): Promise<Integration[]> {
    const integrations = await this.http.request({
      operation: 'integrations.listActive',
      method: 'GET',
      path: '/v1/integrations/active',
      response: integrationListSchema,
      ...pickerTiming,
    });
    return integrations.filter((integration) => integration.active !== false && integration.deleted !== true);
  }
}
