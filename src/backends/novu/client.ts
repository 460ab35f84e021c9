import type { z } from 'zod';
import { type CallOptions, createHttpClient, type HttpClient, type HttpRequest, pickerTiming, type QueryValue } from '../../http/client.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { describeNestError } from '../vendor-errors.js';
import { isNovuNotFound } from './explain.js';
import {
  type Activity,
  activityPageSchema,
  type ChannelConnection,
  type ChannelEndpoint,
  type CreateConnectionBody,
  type CreateEndpointBody,
  type CreateSubscriberBody,
  type CreateWorkflowBody,
  channelConnectionSchema,
  channelEndpointSchema,
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
function orNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  return read.catch((error: unknown) => {
    if (isNovuNotFound(error)) return undefined;
    throw error;
  });
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

  /** Every write: the HTTP core retries it only when it certainly never reached Novu, unless one attempt is asked for. */
  private write<T>(request: HttpRequest<T>, options: WriteOptions): Promise<T> {
    return this.http.request({ ...request, ...options, retry: options.retry ?? 'unsent' });
  }

  private getById<T>(operation: string, path: string, id: string, response: z.ZodType<T>): Promise<T> {
    return this.http.request({ operation, method: 'GET', path, params: { id }, response });
  }

  private deleteById(operation: string, path: string, id: string, options: CallOptions): Promise<void> {
    return this.http.request({ operation, method: 'DELETE', path, params: { id }, ...options });
  }

  /** A list's items: Novu answers them as a page, `{data: […]}`. */
  private async items<T>(operation: string, path: string, query: Record<string, QueryValue>, response: z.ZodType<{ data: T[] }>): Promise<T[]> {
    return (await this.http.request({ operation, method: 'GET', path, query, response })).data;
  }

  createConnection(body: CreateConnectionBody, options: WriteOptions): Promise<ChannelConnection> {
    return this.write(
      { operation: 'channelConnections.create', method: 'POST', path: '/v1/channel-connections', body, response: channelConnectionSchema },
      options,
    );
  }

  updateConnection(identifier: string, body: Pick<CreateConnectionBody, 'workspace' | 'auth'>, options: WriteOptions): Promise<ChannelConnection> {
    return this.write(
      {
        operation: 'channelConnections.update',
        method: 'PATCH',
        path: '/v1/channel-connections/{id}',
        params: { id: identifier },
        body,
        response: channelConnectionSchema,
      },
      options,
    );
  }

  /** The connection, or undefined when Novu has none by that identifier. */
  findConnection(identifier: string): Promise<ChannelConnection | undefined> {
    return orNotFound(this.getConnection(identifier));
  }

  getConnection(identifier: string): Promise<ChannelConnection> {
    return this.getById('channelConnections.get', '/v1/channel-connections/{id}', identifier, channelConnectionSchema);
  }

  deleteConnection(identifier: string, options: CallOptions = {}): Promise<void> {
    return this.deleteById('channelConnections.delete', '/v1/channel-connections/{id}', identifier, options);
  }

  createEndpoint(body: CreateEndpointBody, options: WriteOptions): Promise<ChannelEndpoint> {
    return this.write({ operation: 'channelEndpoints.create', method: 'POST', path: '/v1/channel-endpoints', body, response: channelEndpointSchema }, options);
  }

  findEndpoint(identifier: string): Promise<ChannelEndpoint | undefined> {
    return orNotFound(this.getEndpoint(identifier));
  }

  getEndpoint(identifier: string): Promise<ChannelEndpoint> {
    return this.getById('channelEndpoints.get', '/v1/channel-endpoints/{id}', identifier, channelEndpointSchema);
  }

  deleteEndpoint(identifier: string, options: CallOptions = {}): Promise<void> {
    return this.deleteById('channelEndpoints.delete', '/v1/channel-endpoints/{id}', identifier, options);
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
    return this.getById('subscribers.get', '/v2/subscribers/{id}', subscriberId, subscriberSchema);
  }

  /** Subscribers whose email is exactly this one (Novu's search is exact and case-sensitive). */
  subscribersWithEmail(email: string): Promise<Subscriber[]> {
    return this.items('subscribers.search', '/v2/subscribers', { email, limit: 10 }, subscriberPageSchema);
  }

  /** Creates a subscriber; `failIfExists` makes Novu answer 409 instead of changing an existing one. */
  createSubscriber(body: CreateSubscriberBody, options: WriteOptions): Promise<Subscriber> {
    return this.write(
      { operation: 'subscribers.create', method: 'POST', path: '/v2/subscribers', query: { failIfExists: true }, body, response: subscriberSchema },
      options,
    );
  }

  /** Sets (or, with null, clears) the subscriber's own phone: the number Novu's SMS steps send to. */
  updateSubscriberPhone(subscriberId: string, phone: string | null, options: WriteOptions): Promise<Subscriber> {
    return this.write(
      {
        operation: 'subscribers.patch',
        method: 'PATCH',
        path: '/v2/subscribers/{id}',
        params: { id: subscriberId },
        body: { phone },
        response: subscriberSchema,
      },
      options,
    );
  }

  /**
   * Queues a workflow run for Novu's worker; `processed` means accepted, not delivered. A lost answer
   * is settled by the caller: Novu's worker refuses a transactionId it has seen, so triggering again delivers once.
   */
  trigger(body: TriggerBody, options: WriteOptions): Promise<TriggerResult> {
    return this.write({ operation: 'events.trigger', method: 'POST', path: '/v1/events/trigger', body, response: triggerResultSchema }, options);
  }

  findWorkflow(workflowId: string): Promise<Workflow | undefined> {
    return orNotFound(this.getById('workflows.get', '/v2/workflows/{id}', workflowId, workflowSchema));
  }

  createWorkflow(body: CreateWorkflowBody, options: WriteOptions): Promise<Workflow> {
    return this.write({ operation: 'workflows.create', method: 'POST', path: '/v2/workflows', body, response: workflowSchema }, options);
  }

  /** Novu's activity record of a trigger: one notification per subscriber, with each step's job and its execution details. */
  activities(transactionId: string): Promise<Activity[]> {
    return this.items('notifications.list', '/v1/notifications', { transactionId, limit: 10 }, activityPageSchema);
  }

  /** The messages a trigger made (one per chat integration, one per SMS step), with their status and errors. */
  messages(transactionId: string): Promise<NovuMessage[]> {
    return this.items('messages.list', '/v1/messages', { transactionId: [transactionId], limit: 100 }, messagePageSchema);
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
