import type { Services } from '../../app/services.js';
import type { NovuClient } from '../../backends/novu/client.js';
import { deletedByEarlierAttempt, isNovuNotFound, type NovuExplanation } from '../../backends/novu/explain.js';
import type { ChannelEndpoint, CreatePhoneEndpointBody } from '../../backends/novu/schemas.js';
import { isInProgress, writeOnce } from '../../backends/novu/write-once.js';
import { BackendError } from '../../http/errors.js';
import { type JobFinish, type JobOutcome, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { WorkspaceKey } from '../../store/types.js';
import type { NovuScope } from '../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import { sha256 } from '../../util/ids.js';
import { asNovuJobError, describeNovuFailure, explanationText } from '../novu-failures.js';
import { endpointDeletedMessage, endpointRegisteredMessage } from './messages.js';

export interface RegisterPayload {
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  /** The body as the form made it, with the tenant's context entry: the job checks it again before sending. */
  body: CreatePhoneEndpointBody;
}

export interface RegisterResult {
  endpoint: ChannelEndpoint;
  /** True when the same endpoint was already there (a repeated request). */
  existing: boolean;
}

export interface RemovePayload {
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  identifier: string;
}

export interface RemoveResult {
  identifier: string;
  alreadyGone: boolean;
}

/** A failure with the modal field it concerns, kept in the job so the modal can point at it. */
export class EndpointWriteError extends TerminalJobError {
  constructor(readonly explanation: NovuExplanation) {
    super(explanationText(explanation));
  }
}

export const registerJob = 'novu.endpoint.register';
export const removeJob = 'novu.endpoint.remove';

/**
 * One identifier per (tenant, integration, subscriber, number): a repeated registration finds the
 * first, and two workspaces registering the same number never meet on one identifier.
 */
export function endpointIdentifier(tenantId: string, integrationIdentifier: string, subscriberId: string, e164: string): string {
  const digest = sha256(`${tenantId}\u0000${integrationIdentifier}\u0000${subscriberId}\u0000${e164}`).slice(0, 16);
  const slug = integrationIdentifier
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 40);
  return `phone-${slug}-${digest}`;
}

/** Identifiers Switchboard accepts from people: what Novu shows, and nothing that could become a path of its own (`.`, `..`). */
export const endpointIdentifierPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

const notThisWorkspaces = (identifier: string) =>
  new TerminalJobError(`There is no phone endpoint ${identifier} in this workspace (Switchboard only changes the endpoints a workspace registered).`);

/**
 * Phone endpoint writes through the durable queue: one job per user intent, audited, told by DM
 * when late. Each job checks, when it runs, that what it writes or deletes is the tenant's own:
 * the tenant's context entry on what it creates, the tenant's record and Novu's scope on what it
 * deletes. Operators may act on any tenant's endpoints.
 */
export class EndpointJobs {
  constructor(
    private readonly services: Services,
    private readonly novu: NovuClient,
    private readonly scope: NovuScope,
  ) {
    services.queue.define<RegisterPayload, RegisterResult>({
      kind: registerJob,
      run: (payload, context) => this.register(payload, context),
      onFinished: (finish) => this.afterRegister(finish),
      describeError: describeNovuFailure,
    });
    services.queue.define<RemovePayload, RemoveResult>({
      kind: removeJob,
      run: (payload, context) => this.remove(payload, context),
      onFinished: (finish) => this.afterRemove(finish),
      describeError: describeNovuFailure,
    });
  }

  registerNow(payload: RegisterPayload, intent: string): Promise<JobOutcome<RegisterResult>> {
    return this.services.queue.enqueueAndRun<RegisterResult>(
      registerJob,
      payload,
      { dedupeKey: `${registerJob}:${intent}`, workspaceKey: payload.workspaceKey, requestedBy: payload.requestedBy },
      { waitMs: this.services.config.tuning.inlineWaitMs, inlineRetries: true },
    );
  }

  removeNow(payload: RemovePayload, intent: string): Promise<JobOutcome<RemoveResult>> {
    return this.services.queue.enqueueAndRun<RemoveResult>(
      removeJob,
      payload,
      {
        dedupeKey: `${removeJob}:${payload.workspaceKey}:${payload.identifier}:${intent}`,
        workspaceKey: payload.workspaceKey,
        requestedBy: payload.requestedBy,
      },
      { waitMs: this.services.config.tuning.inlineWaitMs, inlineRetries: true },
    );
  }

  private isOperator(userId: string): boolean {
    return this.services.permissions.isOperator(userId);
  }

  private async register({ workspaceKey, requestedBy, body }: RegisterPayload, context: JobRunContext): Promise<RegisterResult> {
    const tenant = tenantOfKey(workspaceKey);
    await this.assertWritableScope(tenant, requestedBy, body);
    let result: RegisterResult;
    try {
      // Found by the lookup means made by this job (an answer lost on the way), so not "already registered".
      const endpoint = await writeOnce({
        operation: 'channel-endpoints.create',
        intent: context.runId,
        body,
        send: (key, retry) => this.novu.createPhoneEndpoint(body, { idempotencyKey: key, retry, deadlineMs: context.deadlineMs }),
        // An endpoint by our identifier with this number, subscriber and scope is what an earlier send made.
        lookup: async () => {
          const earlier = await this.novu.findEndpoint(body.identifier);
          return earlier !== undefined && this.isSame(tenant, earlier, body) ? earlier : undefined;
        },
        lookupFirst: context.attempt > 1,
        retry: context.retry,
        deadlineMs: context.deadlineMs,
      });
      result = { endpoint, existing: false };
    } catch (error) {
      if (!(error instanceof BackendError) || error.status !== 409 || isInProgress(error))
        throw asNovuJobError(error, (explanation) => new EndpointWriteError(explanation));
      result = { endpoint: await this.sameEndpointOrThrow(tenant, body), existing: true };
    }
    await this.services.store.endpoints.add({
      identifier: result.endpoint.identifier,
      workspaceKey,
      type: 'phone',
      subscriberId: body.subscriberId,
      integrationIdentifier: body.integrationIdentifier,
      connectionIdentifier: body.connectionIdentifier ?? null,
      target: body.endpoint.phoneNumber,
      createdBy: requestedBy,
    });
    return result;
  }

  /** The body must carry the tenant's own context entry, and name no other tenant's connection (operators excepted). */
  private async assertWritableScope(tenant: Tenant, requestedBy: string, body: CreatePhoneEndpointBody): Promise<void> {
    if (this.isOperator(requestedBy)) return;
    if (this.scope.tenantIdIn(body.context ?? {}) !== tenant.id) {
      throw new EndpointWriteError({ reason: 'The endpoint is not in this workspace’s scope', field: 'context', terminal: true });
    }
    if (body.connectionIdentifier) {
      const own = await this.services.store.connections.find(tenant.key);
      if (own?.identifier !== body.connectionIdentifier) {
        throw new EndpointWriteError({
          reason: `Connection ${body.connectionIdentifier} is not this workspace's`,
          hint: 'Choose this workspace’s connection, or none.',
          field: 'connection',
          terminal: true,
        });
      }
    }
  }

  /**
   * A 409 on our identifier: the same registration made earlier, or the identifier taken by another
   * endpoint. Nothing about an endpoint outside this tenant's scope is told.
   */
  private async sameEndpointOrThrow(tenant: Tenant, body: CreatePhoneEndpointBody): Promise<ChannelEndpoint> {
    const found = await this.novu.getEndpoint(body.identifier);
    if (this.isSame(tenant, found, body)) return found;
    throw new EndpointWriteError({
      reason: `The endpoint identifier ${body.identifier} is already used by another endpoint`,
      hint: 'Choose another identifier, or leave it empty to let Switchboard make one.',
      field: 'identifier',
      terminal: true,
    });
  }

  private isSame(tenant: Tenant, found: ChannelEndpoint, body: CreatePhoneEndpointBody): boolean {
    return (
      found.type === 'phone' &&
      found.endpoint?.phoneNumber === body.endpoint.phoneNumber &&
      found.subscriberId === body.subscriberId &&
      this.scope.owns(tenant, found.contextKeys)
    );
  }

  /** Deletes only what the tenant owns: its own record, and an endpoint Novu still has in its scope. */
  private async remove({ workspaceKey, requestedBy, identifier }: RemovePayload, context: JobRunContext): Promise<RemoveResult> {
    if (!endpointIdentifierPattern.test(identifier)) throw notThisWorkspaces(identifier);
    const tenant = tenantOfKey(workspaceKey);
    const operator = this.isOperator(requestedBy);
    const record = await this.services.store.endpoints.find(identifier);
    if (!operator && (record?.workspaceKey !== workspaceKey || record.type !== 'phone')) throw notThisWorkspaces(identifier);
    const read = { retry: context.retry, deadlineMs: context.deadlineMs };
    try {
      const current = await this.novu.getEndpoint(identifier);
      if (!operator && (current.type !== 'phone' || !this.scope.owns(tenant, current.contextKeys))) throw notThisWorkspaces(identifier);
      await this.novu.deleteEndpoint(identifier, read);
      await this.services.store.endpoints.remove(identifier);
      return { identifier, alreadyGone: false };
    } catch (error) {
      if (!isNovuNotFound(error)) throw asNovuJobError(error, (explanation) => new EndpointWriteError(explanation));
      await this.services.store.endpoints.remove(identifier);
      return { identifier, alreadyGone: !deletedByEarlierAttempt(error) };
    }
  }

  private async afterRegister({ job, outcome, deliveredInline }: JobFinish<RegisterResult>): Promise<void> {
    const payload = job.payload as RegisterPayload;
    await this.services.audit.record({
      action: 'endpoint.register',
      outcome: outcome.status === 'done' ? 'ok' : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      target: payload.body.subscriberId,
      backend: 'novu',
      backendId: payload.body.identifier,
      error: outcome.status === 'failed' ? outcome.error : undefined,
      detail: {
        integration: payload.body.integrationIdentifier,
        existing: outcome.status === 'done' ? outcome.result.existing : undefined,
        attempts: job.attempts,
      },
    });
    if (!deliveredInline)
      await this.services.bots.sendDirectMessage(payload.workspaceKey, payload.requestedBy, endpointRegisteredMessage(payload.body, outcome));
  }

  private async afterRemove({ job, outcome, deliveredInline }: JobFinish<RemoveResult>): Promise<void> {
    const payload = job.payload as RemovePayload;
    await this.services.audit.record({
      action: 'endpoint.remove',
      outcome: outcome.status === 'done' ? (outcome.result.alreadyGone ? 'not-found' : 'ok') : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      backend: 'novu',
      backendId: payload.identifier,
      error: outcome.status === 'failed' ? outcome.error : undefined,
    });
    if (!deliveredInline)
      await this.services.bots.sendDirectMessage(payload.workspaceKey, payload.requestedBy, endpointDeletedMessage(payload.identifier, outcome));
  }
}

/** Which modal field a failure message points at; the job keeps only its text. */
export function fieldOfFailure(message: string): NovuExplanation['field'] {
  if (/subscriber/i.test(message)) return 'subscriber';
  if (/integration/i.test(message)) return 'integration';
  if (/channel connection|connection /i.test(message)) return 'connection';
  if (/identifier/i.test(message)) return 'identifier';
  if (/context|scope/i.test(message)) return 'context';
  if (/phone|endpoint must match/i.test(message)) return 'number';
  return undefined;
}
