import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { FakeBackend, type Json, type RecordedRequest, type Reply } from './fake-backend.js';
import { exactContextMatch, type FakeMessage, type FakeNotification, type FakeWorkflow, NovuWorker } from './novu-worker.js';

/**
 * Novu's API server as its own source behaves — not only its published spec. Each rule names the
 * file it comes from in novuhq/novu (apps/api/src/app/… unless another path is given); request
 * bodies are also validated against the vendor's OpenAPI excerpt (test/fixtures/openapi/novu.json).
 *
 * Wire shape (exception-filter.ts, AllExceptionsFilter; shared/framework/response.interceptor.ts):
 * errors are `{statusCode, timestamp, path, message, error?}`; a 500 says only "contact support"
 * with an errorId; single results are wrapped as `{data}`, lists pass through; DELETE answers 204.
 */
export interface StoredConnection {
  /** Novu's record id: list cursors are these (Mongo `_id`). Filled in when a test leaves it out. */
  _id?: string;
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
  _id?: string;
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
  phone?: string | null;
  data?: Json | null;
}

export interface FakeIntegration {
  identifier: string;
  name: string;
  providerId: string;
  channel: string;
  active: boolean;
  /** The environment's primary integration of its channel: SMS steps send through it unless a trigger names another. */
  primary?: boolean;
  /** The integration holds an OAuth client id and secret: needed to accept a rotating refresh token. */
  clientCredentials?: boolean;
}

const environmentId = '65f0c0ffee0000000000e0e0';

/** Providers whose connection tokens Novu refreshes itself (libs/application-generic/src/services/rotating-connection-token.service.ts). */
const rotatingProviders = new Set(['slack', 'novu-slack', 'webex-messaging']);

/** Context keys as Novu stores them: `type:id`, sorted with localeCompare (ContextRepository). */
function contextKeysOf(context: unknown): string[] {
  if (!context || typeof context !== 'object') return [];
  return Object.entries(context as Json)
    .map(([type, value]) => `${type}:${typeof value === 'string' ? value : (value as Json)?.id}`)
    .sort((a, b) => a.localeCompare(b));
}

/**
 * IsValidContextPayload with maxCount 5 (@novu/shared isValidContextPayload): an object of 1–5
 * entries, each an id or `{id, data?}`, ids ^[a-zA-Z0-9_-]+$ of 1–100 characters; the type is not
 * checked. The trigger answers a problem with 422 (events/e2e/context-events.e2e.ts).
 */
function contextProblem(context: unknown): string | undefined {
  const structure = 'Invalid context payload structure. Expected object with context types as keys and string IDs or {id, data} objects as values';
  if (!context || typeof context !== 'object' || Array.isArray(context)) return structure;
  const entries = Object.entries(context as Json);
  if (entries.length === 0) return structure;
  if (entries.length > 5) return 'Validation Error';
  for (const [, value] of entries) {
    const contextId = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as Json).id : undefined;
    if (typeof contextId !== 'string' || !/^[a-zA-Z0-9_-]{1,100}$/.test(contextId)) return structure;
  }
  return undefined;
}

/** Nest's built-in exceptions spread `{message, error}` into the body; a plain-string exception has no `error`. */
const nestError: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
};

/** An idempotency record: in progress, or the answer that is replayed for 24 hours. */
interface IdempotencyEntry {
  hash: string;
  reply?: Reply;
}

export class FakeNovu extends FakeBackend {
  readonly secretKey = `novu-secret-${randomBytes(8).toString('hex')}`;
  readonly connections = new Map<string, StoredConnection>();
  readonly endpoints = new Map<string, StoredEndpoint>();
  readonly subscribers = new Map<string, FakeSubscriber>(
    ['sub-1', 'subscriber-42', 'sub-2'].map((subscriberId) => [subscriberId, { subscriberId, email: `${subscriberId}@example.com` }]),
  );
  readonly integrations: FakeIntegration[] = [
    { identifier: 'slack-prod', name: 'Slack (production)', providerId: 'slack', channel: 'chat', active: true, clientCredentials: true },
    { identifier: 'slack-staging', name: 'Slack (staging)', providerId: 'slack', channel: 'chat', active: true },
    { identifier: 'whatsapp-business', name: 'WhatsApp Business', providerId: 'whatsapp-business', channel: 'chat', active: true },
    { identifier: 'twilio-sms', name: 'Twilio SMS', providerId: 'twilio', channel: 'sms', active: true, primary: true },
    { identifier: 'vonage-sms', name: 'Vonage SMS', providerId: 'nexmo', channel: 'sms', active: true },
    { identifier: 'sendgrid', name: 'SendGrid', providerId: 'sendgrid', channel: 'email', active: true },
    { identifier: 'old-sms', name: 'Old SMS', providerId: 'nexmo', channel: 'sms', active: false },
  ];
  featureEnabled = true;
  idempotencyEnabled = true;
  /** Keys seen by the idempotency layer (one organization), with the answer each replays. */
  readonly idempotency = new Map<string, IdempotencyEntry>();
  readonly workflows = new Map<string, FakeWorkflow>();
  /** Where the Slack provider posts: the Slack emulator's Web API, set by the test kit. */
  slackApiUrl: string | undefined;
  /** Where the SMS and WhatsApp providers hand texts over: the test kit's phone network. */
  phoneNetworkUrl: string | undefined;
  /** Delivers triggers as Novu's worker does, and keeps its records. */
  readonly worker = new NovuWorker(this);
  private sequence = 0;

  constructor() {
    super('novu');
    this.on('GET', '/v1/integrations/active', () => ({
      status: 200,
      body: {
        data: this.integrations
          .filter((integration) => integration.active)
          .map(({ clientCredentials: _credentials, ...integration }) => ({
            _id: integration.identifier,
            _environmentId: environmentId,
            _organizationId: 'org',
            deleted: false,
            kind: 'delivery',
            ...integration,
            primary: integration.primary ?? false,
          })),
      },
    }));

    this.on('POST', '/v1/channel-connections', (request) => this.feature(request, () => this.createConnection(request)));
    this.on('GET', '/v1/channel-connections', (request) => this.feature(request, () => this.listConnections(request)));
    this.on('GET', '/v1/channel-connections/:id', (request, { id }) =>
      this.feature(request, () => {
        const connection = this.connections.get(id ?? '');
        // get-channel-connection: single quotes.
        return connection
          ? this.wrap(200, this.presentConnection(connection))
          : this.error(request, 404, `Channel connection with identifier '${id}' not found`);
      }),
    );
    this.on('PATCH', '/v1/channel-connections/:id', (request, { id }) => this.feature(request, () => this.updateConnection(request, id ?? '')));
    this.on('DELETE', '/v1/channel-connections/:id', (request, { id }) =>
      this.feature(request, () => {
        // delete-channel-connection.usecase.ts: only the connection goes; endpoints naming it are left in place.
        if (!this.connections.delete(id ?? '')) return this.error(request, 404, `Channel connection with identifier '${id}' not found`);
        return { status: 204 };
      }),
    );

    this.on('POST', '/v1/channel-endpoints', (request) => this.feature(request, () => this.createEndpoint(request)));
    this.on('GET', '/v1/channel-endpoints', (request) => this.feature(request, () => this.listEndpoints(request)));
    this.on('GET', '/v1/channel-endpoints/:id', (request, { id }) =>
      this.feature(request, () => {
        const endpoint = this.endpoints.get(id ?? '');
        return endpoint ? this.wrap(200, this.presentEndpoint(endpoint)) : this.error(request, 404, `Channel endpoint with identifier '${id}' not found`);
      }),
    );
    this.on('DELETE', '/v1/channel-endpoints/:id', (request, { id }) =>
      this.feature(request, () =>
        this.endpoints.delete(id ?? '') ? { status: 204 } : this.error(request, 404, `Channel endpoint with identifier '${id}' not found`),
      ),
    );

    this.on('GET', '/v2/subscribers/:id', (request, { id }) => {
      const subscriber = this.subscribers.get(id ?? '');
      // subscribers-v2 get-subscriber usecase.
      return subscriber ? this.wrap(200, this.presentSubscriber(subscriber)) : this.error(request, 404, `Subscriber: ${id} was not found`);
    });
    this.on('GET', '/v2/subscribers', (request) => this.searchSubscribers(request));
    this.on('POST', '/v2/subscribers', (request) => {
      // create-or-update-subscriber.usecase.ts: 201 whether it created or updated; 409 only with failIfExists=true.
      const body = request.body as FakeSubscriber;
      const existing = this.subscribers.get(body.subscriberId);
      if (existing && request.query.get('failIfExists') === 'true') return this.error(request, 409, `Subscriber with id "${body.subscriberId}" already exists`);
      const subscriber = { ...existing, ...body };
      this.subscribers.set(body.subscriberId, subscriber);
      return this.wrap(201, this.presentSubscriber(subscriber));
    });
    this.on('PATCH', '/v2/subscribers/:id', (request, { id }) => {
      // subscribers-v2 patch-subscriber: only the fields sent change; `null` clears one.
      const subscriber = this.subscribers.get(id ?? '');
      if (!subscriber) return this.error(request, 404, `Subscriber: ${id} was not found`);
      // PatchSubscriberRequestDto's fields only; the subscriberId is the path's.
      const fields = ['firstName', 'lastName', 'email', 'phone', 'avatar', 'locale', 'timezone', 'data'];
      for (const [key, value] of Object.entries(request.body as Json)) if (fields.includes(key)) (subscriber as Json)[key] = value;
      return this.wrap(200, this.presentSubscriber(subscriber));
    });

    this.on('POST', '/v2/workflows', (request) => this.createWorkflow(request));
    this.on('GET', '/v2/workflows/:id', (request, { id }) => {
      const workflow = this.workflows.get(id ?? '');
      // WorkflowNotFoundException.
      return workflow ? this.wrap(200, this.presentWorkflow(workflow)) : this.error(request, 404, 'Workflow cannot be found');
    });
    this.on('POST', '/v1/events/trigger', (request) => this.trigger(request));
    this.on('GET', '/v1/notifications', (request) => {
      // The activity feed: newest first, filtered by transactionId, subscriberIds and channels.
      const transactionId = request.query.get('transactionId');
      const subscriberIds = request.query.getAll('subscriberIds');
      const channels = request.query.getAll('channels');
      const limit = Math.min(Number(request.query.get('limit') ?? '10') || 10, 50);
      const found = [...this.worker.notifications]
        .reverse()
        .filter(
          (notification) =>
            (transactionId === null || notification.transactionId === transactionId) &&
            (subscriberIds.length === 0 || subscriberIds.includes(notification.subscriberId)) &&
            (channels.length === 0 || notification.workflow.steps.some((step) => channels.includes(step.type))),
        );
      return {
        status: 200,
        body: { hasMore: found.length > limit, data: found.slice(0, limit).map((item) => this.presentNotification(item)), pageSize: limit, page: 0 },
      };
    });
    this.on('GET', '/v1/notifications/:id', (request, { id }) => {
      const notification = this.worker.notifications.find((item) => item._id === id);
      return notification ? this.wrap(200, this.presentNotification(notification)) : this.error(request, 404, `Notification with id ${id} not found`);
    });
    this.on('GET', '/v1/messages', (request) => {
      // transactionId is an array parameter (GetMessagesRequestDto).
      const transactionIds = request.query.getAll('transactionId');
      const channel = request.query.get('channel');
      const subscriberId = request.query.get('subscriberId');
      const limit = Math.min(Number(request.query.get('limit') ?? '10') || 10, 1000);
      const found = this.worker.messages.filter(
        (message) =>
          (transactionIds.length === 0 || transactionIds.includes(message.transactionId)) &&
          (channel === null || message.channel === channel) &&
          (subscriberId === null || message.subscriberId === subscriberId),
      );
      return {
        status: 200,
        body: {
          totalCount: found.length,
          hasMore: found.length > limit,
          data: found.slice(0, limit).map((item) => this.presentMessage(item)),
          pageSize: limit,
          page: 0,
        },
      };
    });
  }

  protected authorized(headers: IncomingHttpHeaders): boolean {
    return headers.authorization === `ApiKey ${this.secretKey}`;
  }

  protected unauthorized(): Reply {
    return { status: 401, body: { statusCode: 401, timestamp: new Date().toISOString(), path: '', message: 'API Key not found', error: 'Unauthorized' } };
  }

  /** Nest's ValidationPipe and BaseCommand.create: 400 with the messages as an array. */
  protected invalidBody(problems: string[]): Reply {
    return { status: 400, body: { statusCode: 400, timestamp: new Date().toISOString(), path: '', message: problems, error: 'Bad Request' } };
  }

  /** The endpoint validator (libs/application-generic …/channel-endpoint.schema.ts): exactly the keys of the type. */
  protected override serverRules(request: RecordedRequest): string[] {
    const body = request.body as Json | undefined;
    if (request.method !== 'POST' || request.path !== '/v1/channel-endpoints' || !body) return [];
    const endpoint = (body.endpoint ?? {}) as Json;
    const keys = Object.keys(endpoint);
    const one = (field: string) => typeof endpoint[field] === 'string' && keys.length === 1;
    const valid: Record<string, boolean> = {
      phone: one('phoneNumber'),
      slack_channel: one('channelId'),
      slack_user: one('userId'),
      webhook: typeof endpoint.url === 'string' && keys.length <= 2,
    };
    return valid[String(body.type)] === false ? [`Endpoint must match the required format for type "${body.type}"`] : [];
  }

  /**
   * shared/framework/idempotency.interceptor.ts (and idempotency-http-error.ts, PR #12451), per
   * organization — the route is not part of the key:
   * - POST and PATCH only; GET, PUT and DELETE pass through (idempotency.e2e.ts: "GET is not cached");
   * - a key over 255 characters → 400;
   * - the same key while the first is in flight → 409 with Retry-After: 1 (checked before the body);
   * - the same key with another body (blake2s256 of JSON.stringify) → 422;
   * - otherwise the stored answer for 24 hours, errors included: a 4xx as it was, anything ≥ 500
   *   as a generic 500; every answer carries Idempotency-Key, a replay Idempotency-Replay: true.
   * Rate limiting runs before it (app.module interceptor order), so a 429 is never stored.
   */
  protected override async process(request: RecordedRequest, produce: () => Promise<Reply>): Promise<Reply> {
    const key = request.headers['idempotency-key'];
    if (!this.idempotencyEnabled || typeof key !== 'string' || !['POST', 'PATCH'].includes(request.method)) return produce();
    if (key.length > 255) return this.error(request, 400, `idempotencyKey "${key}" has exceeded the maximum allowed length of 255 characters`);
    const link = 'https://docs.novu.co/additional-resources/idempotency';
    const hash = createHash('sha256')
      .update(JSON.stringify(request.body ?? null))
      .digest('hex');
    const seen = this.idempotency.get(key);
    if (seen && !seen.reply) {
      const busy = this.error(request, 409, `Request with key "${key}" is currently being processed. Please retry after 1 second`);
      return { ...busy, headers: { 'idempotency-key': key, 'retry-after': '1', link } };
    }
    if (seen?.reply) {
      if (seen.hash !== hash) {
        const reused = this.error(request, 422, `Request with key "${key}" is being reused for a different body`);
        return { ...reused, headers: { 'idempotency-key': key, link } };
      }
      const replay = seen.reply.status >= 500 ? this.internalError(request) : seen.reply;
      return { ...replay, headers: { ...replay.headers, 'idempotency-key': key, 'idempotency-replay': 'true' } };
    }
    this.idempotency.set(key, { hash });
    let reply: Reply;
    try {
      reply = await produce();
    } catch (error) {
      reply = this.internalError(request);
      this.idempotency.set(key, { hash, reply });
      throw error;
    }
    this.idempotency.set(key, { hash, reply });
    return { ...reply, headers: { ...reply.headers, 'idempotency-key': key } };
  }

  /**
   * workflows (upsert-workflow.usecase.ts, create-workflow-v0 generateUniqueIdentifier): a new
   * workflow is active unless `active: false` is sent (the server's default is true, the spec's
   * false); an id already taken gets a random suffix rather than a 409.
   */
  private createWorkflow(request: RecordedRequest): Reply {
    const body = request.body as Json;
    let workflowId = String(
      body.workflowId ??
        String(body.name)
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-'),
    );
    while (this.workflows.has(workflowId)) workflowId = `${body.workflowId}-${randomBytes(3).toString('hex')}`;
    const at = this.now();
    const workflow: FakeWorkflow = {
      _id: randomBytes(12).toString('hex'),
      workflowId,
      name: String(body.name),
      active: body.active ?? true,
      steps: ((body.steps ?? []) as Json[]).map((step, index) => ({
        _id: randomBytes(12).toString('hex'),
        stepId: String(step.stepId ?? `${step.type}-step${index > 0 ? `-${index}` : ''}`),
        name: String(step.name),
        type: String(step.type),
        controlValues: (step.controlValues ?? {}) as FakeWorkflow['steps'][number]['controlValues'],
      })),
      createdAt: at,
      updatedAt: at,
    };
    this.workflows.set(workflowId, workflow);
    return this.wrap(201, this.presentWorkflow(workflow));
  }

  /** A workflow as an integrator would have made it in Novu's dashboard: a chat step, an SMS step, or both. */
  addWorkflow(workflowId: string, steps: ('chat' | 'sms')[], body = '{{payload.text}}'): FakeWorkflow {
    const at = this.now();
    const workflow: FakeWorkflow = {
      _id: randomBytes(12).toString('hex'),
      workflowId,
      name: workflowId,
      active: true,
      steps: steps.map((type) => ({ _id: randomBytes(12).toString('hex'), stepId: `${type}-step`, name: type, type, controlValues: { body } })),
      createdAt: at,
      updatedAt: at,
    };
    this.workflows.set(workflowId, workflow);
    return workflow;
  }

  /**
   * events/usecases/parse-event-request.usecase.ts: the context as IsValidContextPayload takes it
   * (at most 5 entries, ids ^[a-zA-Z0-9_-]+$ of 1–100 characters, 422 otherwise); an unknown
   * workflow is a 422 `workflow_not_found`; an inactive one is acknowledged as
   * `trigger_not_active`; otherwise `processed` at once, and the worker delivers afterwards.
   * Subscribers named by id are made when missing; a subscriber object updates the subscriber.
   */
  private trigger(request: RecordedRequest): Reply {
    const body = request.body as Json;
    const context = body.context;
    if (context !== undefined) {
      const problem = contextProblem(context);
      if (problem) return this.error(request, 422, problem);
    }
    const workflow = this.workflows.get(String(body.name));
    if (!workflow) return this.error(request, 422, 'workflow_not_found');
    const transactionId = typeof body.transactionId === 'string' ? body.transactionId : randomUUID();
    if (!workflow.active) return this.wrap(201, { acknowledged: true, status: 'trigger_not_active', transactionId });
    const recipients = (Array.isArray(body.to) ? body.to : [body.to]) as (string | Json)[];
    if (recipients.length > 100) return this.error(request, 422, 'Maximum number of recipients can be 100');
    for (const recipient of recipients) {
      const { subscriberId, ...fields } = typeof recipient === 'string' ? { subscriberId: recipient } : (recipient as Json & { subscriberId: string });
      const subscriber = this.subscribers.get(subscriberId) ?? { subscriberId };
      this.subscribers.set(subscriberId, { ...subscriber, ...fields });
    }
    this.worker.enqueueAll(
      recipients.map((recipient) => ({
        workflow,
        subscriberId: typeof recipient === 'string' ? recipient : String((recipient as Json).subscriberId),
        payload: (body.payload ?? {}) as Json,
        overrides: (body.overrides ?? {}) as Json,
        contextKeys: contextKeysOf(context),
        transactionId,
      })),
    );
    return this.wrap(201, {
      acknowledged: true,
      status: 'processed',
      transactionId,
      activityFeedLink: `https://dashboard.novu.co/activity?transactionId=${transactionId}`,
    });
  }

  private presentWorkflow(workflow: FakeWorkflow): Json {
    return {
      _id: workflow._id,
      workflowId: workflow.workflowId,
      slug: `${workflow.workflowId}_wf_${workflow._id}`,
      name: workflow.name,
      active: workflow.active,
      status: workflow.active ? 'ACTIVE' : 'INACTIVE',
      origin: 'novu-cloud',
      severity: 'none',
      tags: [],
      preferences: { user: null, default: {} },
      steps: workflow.steps.map((step) => ({ ...step, slug: `${step.stepId}_st_${step._id}`, controls: { values: step.controlValues } })),
      createdAt: workflow.createdAt,
      updatedAt: workflow.updatedAt,
    };
  }

  /** ActivityNotificationResponseDto. */
  private presentNotification(notification: FakeNotification): Json {
    const subscriber = this.subscribers.get(notification.subscriberId);
    return {
      _id: notification._id,
      _environmentId: environmentId,
      _organizationId: 'org',
      _subscriberId: notification.subscriberId,
      _templateId: notification.workflow._id,
      transactionId: notification.transactionId,
      createdAt: notification.createdAt,
      channels: [...new Set(notification.workflow.steps.map((step) => step.type))],
      subscriber: { _id: notification.subscriberId, subscriberId: notification.subscriberId, phone: subscriber?.phone ?? undefined },
      template: {
        _id: notification.workflow._id,
        name: notification.workflow.name,
        origin: 'novu-cloud',
        triggers: [{ identifier: notification.workflow.workflowId }],
      },
      payload: notification.payload,
      contextKeys: notification.contextKeys,
      jobs: notification.jobs.map((job) => ({ ...job, executionDetails: job.executionDetails })),
    };
  }

  /** MessageResponseDto: content is null for chat and SMS (STORE_NOTIFICATION_CONTENT is off). */
  private presentMessage(message: FakeMessage): Json {
    return {
      ...message,
      _environmentId: environmentId,
      _organizationId: 'org',
      _subscriberId: message.subscriberId,
      content: null,
      read: false,
      seen: false,
      cta: {},
    };
  }

  /** Every access token Novu was given (create or update), oldest first. */
  receivedTokens(): string[] {
    return this.requests
      .filter((request) => ['POST', 'PATCH'].includes(request.method) && request.path.startsWith('/v1/channel-connections'))
      .map((request) => (request.body as Json)?.auth?.accessToken)
      .filter((token): token is string => typeof token === 'string');
  }

  /** A rate-limited answer as the throttler guard gives it: RateLimit-* headers, Retry-After, and no `error` key. */
  rateLimited(retryAfterSeconds = 1): Reply {
    return {
      status: 429,
      headers: {
        'retry-after': String(retryAfterSeconds),
        'ratelimit-limit': '20',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(retryAfterSeconds),
        'ratelimit-policy': '20;w=1;burst=20;comment="token bucket";category="configuration";cost="single";serviceLevel="free"',
      },
      body: { statusCode: 429, timestamp: new Date().toISOString(), path: '', message: 'API rate limit exceeded' },
    };
  }

  /** What an internal failure looks like (AllExceptionsFilter): no detail, an error id. */
  internalError(request?: RecordedRequest): Reply {
    return {
      status: 500,
      body: {
        statusCode: 500,
        timestamp: new Date().toISOString(),
        path: request?.path ?? '',
        message: 'Internal server error, contact support and provide them with the errorId',
        errorId: randomUUID(),
      },
    };
  }

  private error(request: RecordedRequest, status: number, message: string | string[]): Reply {
    return {
      status,
      body: {
        statusCode: status,
        timestamp: new Date().toISOString(),
        path: request.path,
        message,
        ...(nestError[status] ? { error: nestError[status] } : {}),
      },
    };
  }

  private wrap(status: number, data: Json): Reply {
    return { status, body: { data } };
  }

  /** channel-connections and channel-endpoints controllers: every handler checks IS_SLACK_TEAMS_ENABLED first. */
  private feature(request: RecordedRequest, next: () => Reply): Reply {
    return this.featureEnabled ? next() : this.error(request, 404, 'Feature not enabled');
  }

  private now(): string {
    return new Date(Date.now() + this.sequence++).toISOString();
  }

  private idOf(record: { _id?: string }): string {
    record._id ??= randomBytes(12).toString('hex');
    return record._id;
  }

  private integration(identifier: unknown): FakeIntegration | undefined {
    return this.integrations.find((candidate) => candidate.identifier === identifier);
  }

  /** dto.mapper.ts: current servers return `auth` in clear (the redaction of GHSA-cg43-fcgr-x9m8 was reverted, PR #11100). */
  private presentConnection(connection: StoredConnection): Json {
    const integration = this.integration(connection.integrationIdentifier);
    const { _id: _ignored, ...rest } = connection;
    return { ...rest, channel: integration?.channel ?? null, providerId: integration?.providerId ?? null, subscriberId: connection.subscriberId ?? null };
  }

  private presentEndpoint(endpoint: StoredEndpoint): Json {
    const integration = this.integration(endpoint.integrationIdentifier);
    const { _id: _ignored, ...rest } = endpoint;
    return { ...rest, channel: integration?.channel ?? null, providerId: integration?.providerId ?? null };
  }

  private presentSubscriber(subscriber: FakeSubscriber): Json {
    const at = new Date().toISOString();
    return { _id: subscriber.subscriberId, _organizationId: 'org', _environmentId: environmentId, deleted: false, createdAt: at, updatedAt: at, ...subscriber };
  }

  /** channel-connection.utils.ts validateAndNormalizeConnectionAuth (PR #12010): who may be sent a refresh token. */
  private rotationProblem(auth: Json, integration: FakeIntegration): string | undefined {
    if (!auth?.refreshToken) return undefined;
    if (!rotatingProviders.has(integration.providerId)) {
      return `Token rotation is not supported for provider "${integration.providerId}". Remove refreshToken from the connection auth.`;
    }
    if (integration.providerId !== 'novu-slack' && !integration.clientCredentials) {
      return `Integration "${integration.identifier}" must have clientId and secretKey configured to store a rotating refresh token.`;
    }
    return undefined;
  }

  /**
   * create-channel-connection.usecase.ts, in its order: the mode rules (400), the integration (404),
   * the subscriber (404), the one connection per integration + subscriberId as sent + exact context
   * set (409 naming it), then the identifier (409). No check that the integration is a chat or a
   * Slack one: a Slack token is taken on an email integration.
   */
  private createConnection(request: RecordedRequest): Reply {
    const body = request.body as Json;
    const mode = body.connectionMode;
    if (mode === 'shared' && !body.context) return this.error(request, 400, 'context is required when connectionMode is "shared"');
    if (mode === 'subscriber' && !body.subscriberId) return this.error(request, 400, 'subscriberId is required when connectionMode is "subscriber"');
    if (!mode && !body.subscriberId && !body.context) return this.error(request, 400, 'Either subscriberId or context must be provided');
    const integration = this.integration(body.integrationIdentifier);
    if (!integration) return this.error(request, 404, `Integration not found: ${body.integrationIdentifier}`);
    const keys = contextKeysOf(body.context);
    if (body.subscriberId && !this.subscribers.has(body.subscriberId)) return this.error(request, 404, `Subscriber not found: ${body.subscriberId}`);
    const sentSubscriber: string | null = body.subscriberId ?? null;
    const duplicate = [...this.connections.values()].find(
      (connection) =>
        connection.integrationIdentifier === integration.identifier &&
        (connection.subscriberId ?? null) === sentSubscriber &&
        exactContextMatch(connection.contextKeys, keys),
    );
    if (duplicate) {
      const subscriberPart = sentSubscriber ? `subscriberId "${sentSubscriber}"` : 'no subscriberId';
      const contextPart = keys.length > 0 ? `context [${keys.join(', ')}]` : 'no context';
      return this.error(
        request,
        409,
        `A channel connection already exists for integration "${integration.identifier}" with ${subscriberPart} and ${contextPart}. Connection ID: ${duplicate.identifier}`,
      );
    }
    const identifier = body.identifier ?? `chconn_${randomBytes(6).toString('hex')}`;
    if (this.connections.has(identifier)) {
      return this.error(request, 409, `Channel connection with identifier "${identifier}" already exists in environment "${environmentId}"`);
    }
    const rotation = this.rotationProblem(body.auth, integration);
    if (rotation) return this.error(request, 400, rotation);
    const at = this.now();
    const connection: StoredConnection = {
      _id: randomBytes(12).toString('hex'),
      identifier,
      integrationIdentifier: integration.identifier,
      // shared mode does not keep the subscriber.
      subscriberId: mode === 'shared' ? null : sentSubscriber,
      contextKeys: keys,
      workspace: body.workspace,
      auth: body.auth?.refreshToken && !body.auth.expiresAt ? { ...body.auth, expiresAt: at } : body.auth,
      createdAt: at,
      updatedAt: at,
    };
    this.connections.set(identifier, connection);
    return this.wrap(201, this.presentConnection(connection));
  }

  /** update-channel-connection.usecase.ts: a full replace of workspace and auth; 404 with double quotes. */
  private updateConnection(request: RecordedRequest, identifier: string): Reply {
    const body = request.body as Json;
    const connection = this.connections.get(identifier);
    if (!connection) return this.error(request, 404, `Channel connection with identifier "${identifier}" not found`);
    const integration = this.integration(connection.integrationIdentifier);
    const rotation = integration ? this.rotationProblem(body.auth, integration) : undefined;
    if (rotation) return this.error(request, 400, rotation);
    connection.workspace = body.workspace;
    connection.auth = body.auth;
    connection.updatedAt = this.now();
    return this.wrap(200, this.presentConnection(connection));
  }

  /**
   * create-channel-endpoint.usecase.ts, in its order: the integration (404), the subscriber (404,
   * unless createSubscriberIfMissing), the identifier (409), the named connection of the same
   * integration (404). Ordinary endpoints are not de-duplicated, and no type is checked against the
   * integration: a phone endpoint is taken on any integration.
   */
  private createEndpoint(request: RecordedRequest): Reply {
    const body = request.body as Json;
    const integration = this.integration(body.integrationIdentifier);
    if (!integration) return this.error(request, 404, `Integration not found: ${body.integrationIdentifier}`);
    if (!this.subscribers.has(body.subscriberId)) {
      if (body.createSubscriberIfMissing !== true) {
        return this.error(
          request,
          404,
          `Subscriber not found: ${body.subscriberId}. Pass createSubscriberIfMissing: true to create it, or provision it via POST /v1/subscribers.`,
        );
      }
      this.subscribers.set(body.subscriberId, { subscriberId: body.subscriberId });
    }
    const identifier = body.identifier ?? `chendp_${randomBytes(6).toString('hex')}`;
    if (this.endpoints.has(identifier)) {
      return this.error(request, 409, `Channel endpoint with identifier "${identifier}" already exists in environment "${environmentId}"`);
    }
    if (body.connectionIdentifier) {
      const connection = this.connections.get(body.connectionIdentifier);
      if (!connection || connection.integrationIdentifier !== body.integrationIdentifier) {
        return this.error(request, 404, `Channel connection not found: ${body.connectionIdentifier}`);
      }
    }
    const at = this.now();
    const endpoint: StoredEndpoint = {
      _id: randomBytes(12).toString('hex'),
      identifier,
      type: body.type,
      subscriberId: body.subscriberId,
      integrationIdentifier: body.integrationIdentifier,
      connectionIdentifier: body.connectionIdentifier ?? null,
      contextKeys: contextKeysOf(body.context),
      endpoint: body.endpoint,
      createdAt: at,
      updatedAt: at,
    };
    this.endpoints.set(identifier, endpoint);
    return this.wrap(201, this.presentEndpoint(endpoint));
  }

  /**
   * list-channel-connections: filters subscriberId (with no connectionMode, also every shared
   * connection), connectionMode, integrationIdentifier, channel, providerId, contextKeys.
   */
  private listConnections(request: RecordedRequest): Reply {
    const query = request.query;
    const subscriberId = query.get('subscriberId');
    const mode = query.get('connectionMode');
    return this.page(
      request,
      [...this.connections.values()],
      (connection) => {
        const integration = this.integration(connection.integrationIdentifier);
        if (mode === 'shared' && connection.subscriberId !== null) return false;
        if (mode === 'subscriber' && connection.subscriberId === null) return false;
        if (subscriberId !== null && connection.subscriberId !== subscriberId && !(mode === null && connection.subscriberId === null)) return false;
        return this.common(query, connection.integrationIdentifier, connection.contextKeys, integration);
      },
      (connection) => this.presentConnection(connection),
    );
  }

  /** list-channel-endpoints: filters subscriberId (exact), integrationIdentifier, connectionIdentifier, channel, providerId, contextKeys. No `type`. */
  private listEndpoints(request: RecordedRequest): Reply {
    const query = request.query;
    return this.page(
      request,
      [...this.endpoints.values()],
      (endpoint) => {
        const integration = this.integration(endpoint.integrationIdentifier);
        if (query.get('subscriberId') !== null && endpoint.subscriberId !== query.get('subscriberId')) return false;
        if (query.get('connectionIdentifier') !== null && endpoint.connectionIdentifier !== query.get('connectionIdentifier')) return false;
        return this.common(query, endpoint.integrationIdentifier, endpoint.contextKeys, integration);
      },
      (endpoint) => this.presentEndpoint(endpoint),
    );
  }

  /** The filters both lists share. contextKeys matches the exact set, in any order; `contextKeys=` (empty) means "no context". */
  private common(query: URLSearchParams, integrationIdentifier: string, contextKeys: string[], integration: FakeIntegration | undefined): boolean {
    if (query.get('integrationIdentifier') !== null && integrationIdentifier !== query.get('integrationIdentifier')) return false;
    if (query.get('channel') !== null && integration?.channel !== query.get('channel')) return false;
    if (query.get('providerId') !== null && integration?.providerId !== query.get('providerId')) return false;
    if (query.has('contextKeys')) {
      const wanted = query.getAll('contextKeys').filter((key) => key !== '');
      if (!exactContextMatch(contextKeys, wanted)) return false;
    }
    return true;
  }

  /**
   * Cursor pagination (base repository findWithCursorBasedPagination): order createdAt DESC, then
   * _id; `after`/`before` are record ids; `next` is the last id when more follow; limit 1–100
   * (CursorBasedPaginatedCommand → 400 "limit must not be greater than 100"); an unknown cursor
   * gives an empty page; both cursors → 400.
   */
  private page<T extends { createdAt: string; _id?: string }>(
    request: RecordedRequest,
    items: T[],
    keep: (item: T) => boolean,
    present: (item: T) => Json,
  ): Reply {
    const query = request.query;
    const limit = query.get('limit') === null ? 10 : Number(query.get('limit'));
    if (!Number.isInteger(limit) || limit < 1) return this.error(request, 400, ['limit must not be less than 1']);
    if (limit > 100) return this.error(request, 400, ['limit must not be greater than 100']);
    const after = query.get('after');
    const before = query.get('before');
    if (after && before) return this.error(request, 400, 'Cannot specify both "before" and "after" cursors at the same time.');
    const ascending = query.get('orderDirection') === 'ASC';
    const orderBy = query.get('orderBy') === 'updatedAt' ? 'updatedAt' : 'createdAt';
    const matching = items.filter(keep).sort((a, b) => {
      const byTime = String((a as Json)[orderBy]).localeCompare(String((b as Json)[orderBy])) || this.idOf(a).localeCompare(this.idOf(b));
      return ascending ? byTime : -byTime;
    });
    const empty = { status: 200, body: { data: [], next: null, previous: null, totalCount: 0, totalCountCapped: false } };
    let start = 0;
    let end = matching.length;
    if (after) {
      const at = matching.findIndex((item) => this.idOf(item) === after);
      if (at < 0) return empty;
      start = at + 1;
    }
    if (before) {
      const at = matching.findIndex((item) => this.idOf(item) === before);
      if (at < 0) return empty;
      end = at;
      start = Math.max(0, end - limit);
    }
    const slice = matching.slice(start, Math.min(end, start + limit));
    const last = slice.at(-1);
    const first = slice[0];
    const next = last && start + slice.length < matching.length ? this.idOf(last) : null;
    const previous = first && start > 0 ? this.idOf(first) : null;
    return {
      status: 200,
      body: { data: slice.map(present), next, previous, totalCount: Math.min(matching.length, 50_000), totalCountCapped: matching.length > 50_000 },
    };
  }

  /** subscribers-v2 search: email, phone and subscriberId are exact and case-sensitive. */
  private searchSubscribers(request: RecordedRequest): Reply {
    const query = request.query;
    const limit = Number(query.get('limit') ?? '10');
    if (limit > 100) return this.error(request, 400, ['limit must not be greater than 100']);
    const matching = [...this.subscribers.values()].filter(
      (subscriber) =>
        (query.get('email') === null || subscriber.email === query.get('email')) &&
        (query.get('phone') === null || subscriber.phone === query.get('phone')) &&
        (query.get('subscriberId') === null || subscriber.subscriberId === query.get('subscriberId')),
    );
    const start = query.get('after') ? matching.findIndex((subscriber) => subscriber.subscriberId === query.get('after')) + 1 : 0;
    const slice = matching.slice(start, start + limit);
    const next = start + slice.length < matching.length ? (slice.at(-1)?.subscriberId ?? null) : null;
    return { status: 200, body: { data: slice.map((subscriber) => this.presentSubscriber(subscriber)), next, previous: null } };
  }
}
