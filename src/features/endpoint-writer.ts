import { isDeepStrictEqual } from 'node:util';
import type { NovuClient } from '../backends/novu/client.js';
import { deletedByEarlierAttempt, isNovuNotFound, type NovuExplanation } from '../backends/novu/explain.js';
import type { ChannelEndpoint, CreateEndpointBody, NovuContext } from '../backends/novu/schemas.js';
import { isInProgress, writeOnce } from '../backends/novu/write-once.js';
import { BackendError } from '../http/errors.js';
import { type JobRunContext, TerminalJobError } from '../jobs/queue.js';
import type { Services } from '../services.js';
import type { OwnedEndpoint, OwnedEndpointType, WorkspaceKey } from '../store/types.js';
import { contextKeysOf, type NovuScope, sameContextKeys } from '../tenancy/novu-scope.js';
import type { Tenant } from '../tenancy/tenant.js';
import { TenantContexts } from '../tenancy/tenant-contexts.js';
import { TenantSubscribers } from '../tenancy/tenant-subscribers.js';
import { asNovuJobError, explanationText } from './novu-failures.js';

type EndpointWriterDeps = Pick<Services, 'store' | 'queue' | 'permissions'>;

/** A failure with the form field it concerns, kept in the job so the form can point at it. */
export class EndpointWriteError extends TerminalJobError {
  constructor(readonly explanation: NovuExplanation) {
    super(explanationText(explanation));
  }
}

export interface WrittenEndpoint {
  endpoint: ChannelEndpoint;
  /** True when the same endpoint was already there (a repeated request). */
  existing: boolean;
}

export interface RemovedEndpoint {
  identifier: string;
  alreadyGone: boolean;
}

/** Identifiers Switchboard accepts from people: what Novu shows, and nothing that could become a path of its own (`.`, `..`). */
export const endpointIdentifierPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

/**
 * Creating and deleting Novu channel endpoints for a tenant, exactly once, inside a job: phone
 * endpoints and Slack routes alike. A create is sent with an idempotency key and looked up after a
 * lost answer; a 409 on our identifier is the same endpoint (made earlier) or someone else's. A
 * delete touches only what the tenant's record and Novu's scope both say is the tenant's.
 */
export class EndpointWriter {
  /** The context set every endpoint of a tenant is written with. */
  readonly contexts: TenantContexts;
  /** Which subscribers a tenant may write endpoints for. */
  readonly subscribers: TenantSubscribers;

  constructor(
    private readonly services: EndpointWriterDeps,
    private readonly novu: NovuClient,
    private readonly scope: NovuScope,
  ) {
    this.contexts = new TenantContexts(services.store, scope);
    this.subscribers = new TenantSubscribers(services.store, scope, (userId) => services.permissions.isOperator(userId));
  }

  async create(tenant: Tenant, requestedBy: string, body: CreateEndpointBody, context: JobRunContext): Promise<WrittenEndpoint> {
    // Checked at the moment of the write, whatever form or run asked for it.
    const foreign = await this.subscribers.refusal(tenant, requestedBy, body.subscriberId);
    if (foreign) throw new EndpointWriteError(foreign);
    const holder = await this.services.store.endpoints.find(body.identifier);
    if (holder && holder.workspaceKey !== tenant.key) throw identifierTaken(body.identifier);
    let written: WrittenEndpoint;
    try {
      // Found by the lookup means made by this job (an answer lost on the way), so not "already there".
      const endpoint = await writeOnce({
        operation: 'channel-endpoints.create',
        intent: context.runId,
        body,
        send: (key, retry) => this.novu.createEndpoint(body, { idempotencyKey: key, retry, deadlineMs: context.deadlineMs }),
        lookup: async () => {
          const earlier = await this.novu.findEndpoint(body.identifier);
          return earlier !== undefined && this.isSame(tenant, earlier, body) ? earlier : undefined;
        },
        lookupFirst: context.attempt > 1,
        retry: context.retry,
        deadlineMs: context.deadlineMs,
      });
      written = { endpoint, existing: false };
    } catch (error) {
      if (!(error instanceof BackendError) || error.status !== 409 || isInProgress(error)) throw asWriteError(error);
      // A 409 on our identifier: the same endpoint made earlier, or the identifier taken by another one.
      const found = await this.novu.getEndpoint(body.identifier);
      if (!this.isSame(tenant, found, body)) throw identifierTaken(body.identifier);
      written = { endpoint: found, existing: true };
    }
    await this.record(tenant, requestedBy, body, written.endpoint, context);
    return written;
  }

  /**
   * Records the endpoint as Novu holds it — an earlier attempt, or an endpoint already there, may
   * be in another scope than this body — and, when that is not the tenant's scope as it is now (its
   * context changed while this was written), queues its move: Novu would not deliver to it.
   */
  private async record(tenant: Tenant, requestedBy: string, body: CreateEndpointBody, endpoint: ChannelEndpoint, context: JobRunContext): Promise<void> {
    const { store } = this.services;
    const actual = {
      contextKeys: endpoint.contextKeys ?? contextKeysOf(body.context ?? {}),
      integrationIdentifier: endpoint.integrationIdentifier ?? body.integrationIdentifier,
      connectionIdentifier: endpoint.connectionIdentifier === undefined ? (body.connectionIdentifier ?? null) : endpoint.connectionIdentifier,
    };
    const stored = await store.endpoints.add({
      identifier: endpoint.identifier,
      workspaceKey: tenant.key,
      type: body.type,
      subscriberId: body.subscriberId,
      target: targetOf(body),
      createdBy: requestedBy,
      ...actual,
    });
    const differs =
      stored.contextKeys === null ||
      !sameContextKeys(stored.contextKeys, actual.contextKeys) ||
      stored.integrationIdentifier !== actual.integrationIdentifier ||
      stored.connectionIdentifier !== actual.connectionIdentifier;
    if (differs) await store.endpoints.rescope(endpoint.identifier, actual);
    if (await this.inTenantScope(tenant, body.type, actual)) return;
    await this.services.queue.enqueue(moveJob, { workspaceKey: tenant.key, requestedBy, identifier: endpoint.identifier } satisfies MoveRequest, {
      dedupeKey: `${moveJob}:${endpoint.identifier}:${context.job.id}`,
    });
  }

  /** The tenant's context set, and for a route its current connection and integration. */
  private async inTenantScope(tenant: Tenant, type: OwnedEndpointType, actual: Placement): Promise<boolean> {
    const connection = await this.services.store.connections.find(tenant.key);
    const keys = connection ? contextKeysOf(connection.context ?? {}) : contextKeysOf(this.scope.context(tenant));
    if (!sameContextKeys(actual.contextKeys, keys)) return false;
    if (type === 'phone' || !connection) return true;
    return actual.connectionIdentifier === connection.identifier && actual.integrationIdentifier === connection.integrationIdentifier;
  }

  /**
   * Deletes an endpoint of one of `types` that the tenant owns (operators: any). `notOwned` is the
   * error to throw otherwise; it says nothing about endpoints outside the tenant's scope.
   */
  async remove(
    tenant: Tenant,
    requestedBy: string,
    identifier: string,
    types: readonly OwnedEndpointType[],
    context: Pick<JobRunContext, 'retry' | 'deadlineMs'>,
    notOwned: () => Error,
  ): Promise<RemovedEndpoint> {
    if (!endpointIdentifierPattern.test(identifier)) throw notOwned();
    // One change of an endpoint at a time, here and on other replicas: a move never brings back a removed one.
    return this.services.store.withLock(endpointLock(identifier), async () => {
      const operator = this.services.permissions.isOperator(requestedBy);
      const record = await this.services.store.endpoints.find(identifier);
      if (!operator && (record?.workspaceKey !== tenant.key || !types.includes(record.type))) throw notOwned();
      try {
        const current = await this.novu.getEndpoint(identifier);
        if (!operator && (!(types as readonly string[]).includes(current.type) || !this.scope.owns(tenant, current.contextKeys))) throw notOwned();
        await this.novu.deleteEndpoint(identifier, { retry: context.retry, deadlineMs: context.deadlineMs });
        await this.services.store.endpoints.remove(identifier);
        return { identifier, alreadyGone: false };
      } catch (error) {
        if (!isNovuNotFound(error)) throw asWriteError(error);
        await this.services.store.endpoints.remove(identifier);
        return { identifier, alreadyGone: !deletedByEarlierAttempt(error) };
      }
    });
  }

  /**
   * Writes a recorded endpoint again in another scope (context set, integration, connection):
   * Novu cannot change an endpoint's context (UpdateChannelEndpointRequestDto is `{endpoint}`), so
   * under the same identifier it is deleted and made again; under a new one the new is made first
   * and the old deleted after, so it keeps delivering meanwhile. Undefined when the endpoint was
   * removed meanwhile (nothing is brought back).
   */
  async move(tenant: Tenant, from: OwnedEndpoint, body: CreateEndpointBody, context: JobRunContext): Promise<WrittenEndpoint | undefined> {
    return this.services.store.withLock(endpointLock(from.identifier), async () => {
      const record = await this.services.store.endpoints.find(from.identifier);
      if (record?.workspaceKey !== tenant.key) return undefined;
      // A move grants nothing new, but a subscriber that is now another tenant's is not written again.
      const foreign = await this.subscribers.refusal(tenant, record.createdBy, body.subscriberId);
      if (foreign) throw new EndpointWriteError(foreign);
      if (body.identifier === record.identifier) {
        await this.deleteOwn(tenant, record.identifier, context);
        return this.create(tenant, record.createdBy, body, context);
      }
      const written = await this.create(tenant, record.createdBy, body, context);
      await this.deleteOwn(tenant, record.identifier, context);
      await this.services.store.endpoints.remove(record.identifier);
      return written;
    });
  }

  /** Deletes the tenant's endpoint in Novu; one already gone is fine, one in another tenant's scope is not touched. */
  private async deleteOwn(tenant: Tenant, identifier: string, context: Pick<JobRunContext, 'retry' | 'deadlineMs'>): Promise<void> {
    try {
      const current = await this.novu.getEndpoint(identifier);
      if (!this.scope.owns(tenant, current.contextKeys)) throw identifierTaken(identifier);
      await this.novu.deleteEndpoint(identifier, { retry: context.retry, deadlineMs: context.deadlineMs });
    } catch (error) {
      if (error instanceof EndpointWriteError) throw error;
      if (!isNovuNotFound(error)) throw asWriteError(error);
    }
  }

  private isSame(tenant: Tenant, found: ChannelEndpoint, body: CreateEndpointBody): boolean {
    return (
      found.type === body.type &&
      isDeepStrictEqual({ ...found.endpoint }, { ...body.endpoint }) &&
      found.subscriberId === body.subscriberId &&
      this.scope.owns(tenant, found.contextKeys)
    );
  }
}

/** Where Novu holds an endpoint: its context set, integration and connection. */
type Placement = Pick<OwnedEndpoint, 'contextKeys' | 'integrationIdentifier' | 'connectionIdentifier'>;

const asWriteError = (error: unknown) => asNovuJobError(error, (explanation) => new EndpointWriteError(explanation));

function identifierTaken(identifier: string): EndpointWriteError {
  return new EndpointWriteError({
    reason: `The endpoint identifier ${identifier} is already used by another endpoint`,
    hint: 'Choose another identifier, or leave it empty to let Switchboard make one.',
    field: 'identifier',
    terminal: true,
  });
}

/** The store lock under which an endpoint is moved or removed. */
const endpointLock = (identifier: string) => `novu-endpoint:${identifier}`;

/**
 * The job that writes a tenant's endpoints again in its current scope (defined with the delivery
 * feature): one endpoint when `identifier` is set, else all of them.
 */
export const moveJob = 'novu.endpoints.move';

export interface MoveRequest {
  workspaceKey: WorkspaceKey;
  requestedBy?: string;
  identifier?: string;
}

/** The body in a context set; none at all when the set is empty (Novu refuses an empty context object). */
export function withContext<B extends CreateEndpointBody>(body: B, context: NovuContext): B {
  const { context: _previous, ...rest } = body;
  return (Object.keys(context).length > 0 ? { ...rest, context } : rest) as B;
}

/** Where a recorded endpoint is written again: its identifier there, integration, connection and context set. */
export interface TargetScope {
  identifier: string;
  integrationIdentifier: string;
  connectionIdentifier: string | null;
  context: NovuContext;
}

/** The body that writes a recorded endpoint again: its type, subscriber and target, in the scope given. */
export function bodyOf(record: OwnedEndpoint, scope: TargetScope): CreateEndpointBody {
  const common = {
    identifier: scope.identifier,
    subscriberId: record.subscriberId,
    integrationIdentifier: scope.integrationIdentifier,
    ...(scope.connectionIdentifier ? { connectionIdentifier: scope.connectionIdentifier } : {}),
  };
  const body: CreateEndpointBody =
    record.type === 'phone'
      ? { ...common, type: 'phone', endpoint: { phoneNumber: record.target } }
      : record.type === 'slack_channel'
        ? { ...common, type: 'slack_channel', endpoint: { channelId: record.target } }
        : { ...common, type: 'slack_user', endpoint: { userId: record.target } };
  return withContext(body, scope.context);
}

/** What an endpoint delivers to: the number, channel or user. */
function targetOf(body: CreateEndpointBody): string {
  switch (body.type) {
    case 'phone':
      return body.endpoint.phoneNumber;
    case 'slack_channel':
      return body.endpoint.channelId;
    case 'slack_user':
      return body.endpoint.userId;
  }
}
