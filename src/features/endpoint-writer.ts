import { isDeepStrictEqual } from 'node:util';
import type { Services } from '../app/services.js';
import type { NovuClient } from '../backends/novu/client.js';
import { deletedByEarlierAttempt, isNovuNotFound, type NovuExplanation } from '../backends/novu/explain.js';
import type { ChannelEndpoint, CreateEndpointBody } from '../backends/novu/schemas.js';
import { isInProgress, writeOnce } from '../backends/novu/write-once.js';
import { BackendError } from '../http/errors.js';
import { type JobRunContext, TerminalJobError } from '../jobs/queue.js';
import type { OwnedEndpointType } from '../store/types.js';
import type { NovuScope } from '../tenancy/novu-scope.js';
import type { Tenant } from '../tenancy/tenant.js';
import { asNovuJobError, explanationText } from './novu-failures.js';

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
  constructor(
    private readonly services: Services,
    private readonly novu: NovuClient,
    private readonly scope: NovuScope,
  ) {}

  async create(tenant: Tenant, requestedBy: string, body: CreateEndpointBody, context: JobRunContext): Promise<WrittenEndpoint> {
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
      if (!(error instanceof BackendError) || error.status !== 409 || isInProgress(error))
        throw asNovuJobError(error, (explanation) => new EndpointWriteError(explanation));
      written = { endpoint: await this.sameEndpointOrThrow(tenant, body), existing: true };
    }
    await this.services.store.endpoints.add({
      identifier: written.endpoint.identifier,
      workspaceKey: tenant.key,
      type: body.type,
      subscriberId: body.subscriberId,
      integrationIdentifier: body.integrationIdentifier,
      connectionIdentifier: body.connectionIdentifier ?? null,
      target: targetOf(body),
      createdBy: requestedBy,
    });
    return written;
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
      if (!isNovuNotFound(error)) throw asNovuJobError(error, (explanation) => new EndpointWriteError(explanation));
      await this.services.store.endpoints.remove(identifier);
      return { identifier, alreadyGone: !deletedByEarlierAttempt(error) };
    }
  }

  /** A 409 on our identifier: the same endpoint made earlier, or the identifier taken by another one. */
  private async sameEndpointOrThrow(tenant: Tenant, body: CreateEndpointBody): Promise<ChannelEndpoint> {
    const found = await this.novu.getEndpoint(body.identifier);
    if (this.isSame(tenant, found, body)) return found;
    throw new EndpointWriteError({
      reason: `The endpoint identifier ${body.identifier} is already used by another endpoint`,
      hint: 'Choose another identifier, or leave it empty to let Switchboard make one.',
      field: 'identifier',
      terminal: true,
    });
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

/** What an endpoint delivers to: the number, channel or user. */
export function targetOf(body: CreateEndpointBody): string {
  switch (body.type) {
    case 'phone':
      return body.endpoint.phoneNumber;
    case 'slack_channel':
      return body.endpoint.channelId;
    case 'slack_user':
      return body.endpoint.userId;
  }
}
