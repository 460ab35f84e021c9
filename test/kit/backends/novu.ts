import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bodyHash, FakeBackend, type Json, type RecordedRequest, type Reply } from './fake-backend.js';

/**
 * Novu's channel connections and endpoints as the server behaves (per novu-details.md): wrapped
 * `{data}` results, redacted auth, 409s that name the existing connection, 404 "Feature not
 * enabled" behind a flag, Idempotency-Key replays, and no de-duplication of endpoints.
 */
export interface StoredConnection {
  identifier: string;
  integrationIdentifier: string;
  subscriberId: string | null;
  contextKeys: string[];
  workspace: { id: string; name?: string };
  auth: { accessToken: string; refreshToken?: string; expiresAt?: string };
  createdAt: string;
  updatedAt: string;
}

export interface StoredEndpoint {
  identifier: string;
  type: string;
  subscriberId: string;
  integrationIdentifier: string;
  connectionIdentifier: string | null;
  contextKeys: string[];
  endpoint: Json;
  createdAt: string;
  updatedAt: string;
}

export interface FakeSubscriber {
  subscriberId: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  data?: Json | null;
}

export interface FakeIntegration {
  identifier: string;
  name: string;
  providerId: string;
  channel: string;
  active: boolean;
}

const environmentId = 'env-test';

function contextKeys(context: unknown): string[] {
  if (!context || typeof context !== 'object') return [];
  return Object.entries(context as Json)
    .map(([type, value]) => `${type}:${typeof value === 'string' ? value : (value as Json)?.id}`)
    .sort();
}

const error = (status: number, message: string | string[], extra: Json = {}): Reply => ({
  status,
  body: { statusCode: status, timestamp: new Date().toISOString(), path: '', message, ...extra },
});

export class FakeNovu extends FakeBackend {
  readonly secretKey = `novu-secret-${randomBytes(8).toString('hex')}`;
  readonly connections = new Map<string, StoredConnection>();
  readonly endpoints = new Map<string, StoredEndpoint>();
  readonly subscribers = new Map<string, FakeSubscriber>(
    ['sub-1', 'subscriber-42', 'sub-2'].map((subscriberId) => [subscriberId, { subscriberId, email: `${subscriberId}@example.com` }]),
  );
  readonly integrations: FakeIntegration[] = [
    { identifier: 'slack-prod', name: 'Slack (production)', providerId: 'slack', channel: 'chat', active: true },
    { identifier: 'slack-staging', name: 'Slack (staging)', providerId: 'slack', channel: 'chat', active: true },
    { identifier: 'whatsapp-business', name: 'WhatsApp Business', providerId: 'whatsapp-business', channel: 'chat', active: true },
    { identifier: 'twilio-sms', name: 'Twilio SMS', providerId: 'twilio', channel: 'sms', active: true },
    { identifier: 'sendgrid', name: 'SendGrid', providerId: 'sendgrid', channel: 'email', active: true },
    { identifier: 'old-sms', name: 'Old SMS', providerId: 'nexmo', channel: 'sms', active: false },
  ];
  featureEnabled = true;
  idempotencyEnabled = true;
  /** Time a write takes inside Novu, so concurrent duplicates can overlap. */
  processingDelayMs = 0;
  private readonly idempotency = new Map<string, { hash: string; reply?: Reply }>();
  private sequence = 0;

  constructor() {
    super('novu');
    this.on('GET', '/v1/integrations/active', () => ({
      status: 200,
      body: {
        data: this.integrations
          .filter((integration) => integration.active)
          .map((integration) => ({
            _id: integration.identifier,
            _environmentId: environmentId,
            _organizationId: 'org',
            deleted: false,
            primary: false,
            kind: 'delivery',
            ...integration,
          })),
      },
    }));
    this.on('GET', '/v2/subscribers/:id', (_request, { id }) => {
      const subscriber = this.subscribers.get(id ?? '');
      return subscriber
        ? { status: 200, body: { data: this.presentSubscriber(subscriber) } }
        : error(404, `Subscriber: ${id} was not found`, { error: 'Not Found' });
    });
    this.on('POST', '/v2/subscribers', (request) =>
      this.idempotent(request, () => {
        const body = request.body as FakeSubscriber;
        const existing = this.subscribers.get(body.subscriberId);
        if (existing && request.query.get('failIfExists') === 'true')
          return error(409, `Subscriber with id "${body.subscriberId}" already exists`, { error: 'Conflict' });
        const subscriber = { ...existing, ...body };
        this.subscribers.set(body.subscriberId, subscriber);
        return { status: 201, body: { data: this.presentSubscriber(subscriber) } };
      }),
    );
    this.on('POST', '/v1/channel-connections', (request) => this.idempotent(request, () => this.createConnection(request.body as Json)));
    this.on('GET', '/v1/channel-connections', (request) =>
      this.feature(() => this.list([...this.connections.values()], request, (item) => this.presentConnection(item))),
    );
    this.on('GET', '/v1/channel-connections/:id', (_request, { id }) => this.feature(() => this.connectionReply(id, 200)));
    this.on('PATCH', '/v1/channel-connections/:id', (request, { id }) => this.idempotent(request, () => this.updateConnection(id, request.body as Json)));
    this.on('DELETE', '/v1/channel-connections/:id', (_request, { id }) =>
      this.feature(() => (this.connections.delete(id ?? '') ? { status: 204 } : error(404, `Channel connection not found: ${id}`, { error: 'Not Found' }))),
    );
    this.on('POST', '/v1/channel-endpoints', (request) => this.idempotent(request, () => this.createEndpoint(request.body as Json)));
    this.on('GET', '/v1/channel-endpoints', (request) => this.feature(() => this.list(this.filterEndpoints(request), request, (item) => item)));
    this.on('GET', '/v1/channel-endpoints/:id', (_request, { id }) =>
      this.feature(() => {
        const endpoint = this.endpoints.get(id ?? '');
        return endpoint ? { status: 200, body: { data: endpoint } } : error(404, `Channel endpoint not found: ${id}`, { error: 'Not Found' });
      }),
    );
    this.on('DELETE', '/v1/channel-endpoints/:id', (_request, { id }) =>
      this.feature(() => (this.endpoints.delete(id ?? '') ? { status: 204 } : error(404, `Channel endpoint not found: ${id}`, { error: 'Not Found' }))),
    );
  }

  protected authorized(headers: IncomingHttpHeaders): boolean {
    return headers.authorization === `ApiKey ${this.secretKey}`;
  }

  protected unauthorized(): Reply {
    return error(401, 'API Key not found', { error: 'Unauthorized' });
  }

  protected invalidBody(problems: string[]): Reply {
    return error(400, problems, { error: 'Bad Request' });
  }

  /** The server's own endpoint validator: exactly the keys of the type, and a string phone number. */
  protected override serverRules(request: RecordedRequest): string[] {
    const body = request.body as Json | undefined;
    if (request.method !== 'POST' || request.path !== '/v1/channel-endpoints' || body?.type !== 'phone') return [];
    const endpoint = body.endpoint as Json | undefined;
    if (!endpoint || typeof endpoint.phoneNumber !== 'string' || Object.keys(endpoint).length !== 1)
      return ['Endpoint must match the required format for type phone'];
    return [];
  }

  /** Every access token Novu was given (create or update), oldest first. */
  receivedTokens(): string[] {
    return this.requests
      .filter((request) => ['POST', 'PATCH'].includes(request.method) && request.path.startsWith('/v1/channel-connections'))
      .map((request) => (request.body as Json)?.auth?.accessToken)
      .filter((token): token is string => typeof token === 'string');
  }

  private feature(next: () => Reply): Reply {
    return this.featureEnabled ? next() : error(404, 'Feature not enabled', { error: 'Not Found' });
  }

  private async idempotent(request: RecordedRequest, next: () => Reply): Promise<Reply> {
    if (!this.featureEnabled) return error(404, 'Feature not enabled', { error: 'Not Found' });
    const key = request.headers['idempotency-key'];
    if (!this.idempotencyEnabled || typeof key !== 'string') return next();
    if (key.length > 255) return error(400, `idempotencyKey "${key}" has exceeded the maximum allowed length of 255 characters`);
    const hash = bodyHash(request.body);
    const seen = this.idempotency.get(key);
    if (seen) {
      if (seen.hash !== hash) return error(422, `Request with key "${key}" is being reused for a different body`);
      if (!seen.reply)
        return {
          ...error(409, `Request with key "${key}" is currently being processed. Please retry after 1 second`, { error: 'Conflict' }),
          headers: { 'retry-after': '1' },
        };
      return { ...seen.reply, headers: { ...seen.reply.headers, 'idempotency-key': key, 'idempotency-replay': 'true' } };
    }
    this.idempotency.set(key, { hash });
    if (this.processingDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.processingDelayMs));
    const reply = next();
    this.idempotency.set(key, { hash, reply });
    return reply;
  }

  private presentSubscriber(subscriber: FakeSubscriber): Json {
    const at = new Date().toISOString();
    return {
      _id: subscriber.subscriberId,
      email: null,
      firstName: null,
      lastName: null,
      data: null,
      createdAt: at,
      updatedAt: at,
      deleted: false,
      ...subscriber,
    };
  }

  private now(): string {
    return new Date(Date.now() + this.sequence++).toISOString();
  }

  private presentConnection(connection: StoredConnection): Json {
    // Current servers never echo the token (GHSA-cg43-fcgr-x9m8).
    return { ...connection, channel: 'chat', providerId: 'slack', auth: { hasAccessToken: true } };
  }

  private connectionReply(identifier: string | undefined, status: number): Reply {
    const connection = this.connections.get(identifier ?? '');
    return connection
      ? { status, body: { data: this.presentConnection(connection) } }
      : error(404, `Channel connection not found: ${identifier}`, { error: 'Not Found' });
  }

  private createConnection(body: Json): Reply {
    const integration = this.integrations.find((candidate) => candidate.identifier === body.integrationIdentifier);
    if (!integration) return error(404, `Integration not found: ${body.integrationIdentifier}`, { error: 'Not Found' });
    if (!body.subscriberId && !body.context) return error(400, 'Either subscriberId or context must be provided');
    if (body.connectionMode === 'shared' && !body.context) return error(400, 'context is required when connectionMode is shared');
    if ((body.connectionMode ?? 'subscriber') === 'subscriber' && !body.subscriberId)
      return error(400, 'subscriberId is required when connectionMode is subscriber');
    if (body.subscriberId && !this.subscribers.has(body.subscriberId)) return error(404, `Subscriber not found: ${body.subscriberId}`, { error: 'Not Found' });
    const identifier = body.identifier ?? `chconn-${randomBytes(3).toString('hex')}`;
    if (this.connections.has(identifier))
      return error(409, `Channel connection with identifier "${identifier}" already exists in environment "${environmentId}"`, { error: 'Conflict' });
    const subscriberId = body.connectionMode === 'shared' ? null : (body.subscriberId ?? null);
    const keys = contextKeys(body.context);
    const duplicate = [...this.connections.values()].find(
      (connection) =>
        connection.integrationIdentifier === body.integrationIdentifier &&
        connection.subscriberId === subscriberId &&
        connection.contextKeys.join() === keys.join(),
    );
    if (duplicate) {
      return error(
        409,
        `A channel connection already exists for integration "${body.integrationIdentifier}" with subscriberId "${subscriberId ?? ''}" and context [${keys.join(', ')}]. Connection ID: ${duplicate.identifier}`,
        { error: 'Conflict' },
      );
    }
    const at = this.now();
    const connection: StoredConnection = {
      identifier,
      integrationIdentifier: body.integrationIdentifier,
      subscriberId,
      contextKeys: keys,
      workspace: body.workspace,
      auth: body.auth,
      createdAt: at,
      updatedAt: at,
    };
    this.connections.set(identifier, connection);
    return this.connectionReply(identifier, 201);
  }

  private updateConnection(identifier: string | undefined, body: Json): Reply {
    const connection = this.connections.get(identifier ?? '');
    if (!connection) return error(404, `Channel connection not found: ${identifier}`, { error: 'Not Found' });
    connection.workspace = body.workspace;
    connection.auth = body.auth;
    connection.updatedAt = this.now();
    return this.connectionReply(identifier, 200);
  }

  private createEndpoint(body: Json): Reply {
    const integration = this.integrations.find((candidate) => candidate.identifier === body.integrationIdentifier);
    if (!integration) return error(404, `Integration not found: ${body.integrationIdentifier}`, { error: 'Not Found' });
    if (!this.subscribers.has(body.subscriberId)) {
      return error(404, `Subscriber not found: ${body.subscriberId}. Pass createSubscriberIfMissing: true to create it.`, { error: 'Not Found' });
    }
    if (body.connectionIdentifier) {
      const connection = this.connections.get(body.connectionIdentifier);
      if (!connection || connection.integrationIdentifier !== body.integrationIdentifier)
        return error(404, `Channel connection not found: ${body.connectionIdentifier}`, { error: 'Not Found' });
    }
    const identifier = body.identifier ?? `chendp_${randomBytes(6).toString('hex')}`;
    if (this.endpoints.has(identifier)) return error(409, `Channel endpoint with identifier "${identifier}" already exists`, { error: 'Conflict' });
    const at = this.now();
    const endpoint: StoredEndpoint = {
      identifier,
      type: body.type,
      subscriberId: body.subscriberId,
      integrationIdentifier: body.integrationIdentifier,
      connectionIdentifier: body.connectionIdentifier ?? null,
      contextKeys: contextKeys(body.context),
      endpoint: body.endpoint,
      createdAt: at,
      updatedAt: at,
    };
    this.endpoints.set(identifier, endpoint);
    return { status: 201, body: { data: { ...endpoint, channel: integration.channel, providerId: integration.providerId } } };
  }

  private filterEndpoints(request: RecordedRequest): StoredEndpoint[] {
    const subscriberId = request.query.get('subscriberId');
    const integrationIdentifier = request.query.get('integrationIdentifier');
    return [...this.endpoints.values()].filter(
      (endpoint) =>
        (!subscriberId || endpoint.subscriberId === subscriberId) && (!integrationIdentifier || endpoint.integrationIdentifier === integrationIdentifier),
    );
  }

  /** Cursor pagination as Novu does it: `after` is an opaque cursor, `next` is null on the last page. */
  private list<T extends { createdAt: string }>(items: T[], request: RecordedRequest, present: (item: T) => Json): Reply {
    const limit = Math.min(Number(request.query.get('limit') ?? 10) || 10, 100);
    const direction = request.query.get('orderDirection') === 'ASC' ? 1 : -1;
    const sorted = [...items].sort((a, b) => direction * a.createdAt.localeCompare(b.createdAt));
    const start = request.query.get('after') ? Number(Buffer.from(request.query.get('after') ?? '', 'base64url').toString()) : 0;
    const page = sorted.slice(start, start + limit);
    const next = start + limit < sorted.length ? Buffer.from(String(start + limit)).toString('base64url') : null;
    return { status: 200, body: { data: page.map(present), next, previous: start > 0 ? 'prev' : null, totalCount: sorted.length, totalCountCapped: false } };
  }
}
