import type { Services } from '../../app/services.js';
import type { NovuClient } from '../../backends/novu/client.js';
import { isNovuNotFound, type NovuExplanation } from '../../backends/novu/explain.js';
import { idempotencyKey } from '../../backends/novu/idempotency.js';
import type { ChannelEndpoint, CreatePhoneEndpointBody } from '../../backends/novu/schemas.js';
import { BackendError } from '../../http/errors.js';
import { type JobFinish, type JobOutcome, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { WorkspaceKey } from '../../store/types.js';
import { sha256 } from '../../util/ids.js';
import { asNovuJobError, describeNovuFailure, explanationText } from '../novu-failures.js';
import { endpointDeletedMessage, endpointRegisteredMessage } from './messages.js';

export interface RegisterPayload {
  workspaceKey: WorkspaceKey;
  requestedBy: string;
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

/** One identifier per (integration, subscriber, number): a repeated registration finds the first. */
export function endpointIdentifier(integrationIdentifier: string, subscriberId: string, e164: string): string {
  const digest = sha256(`${integrationIdentifier}\u0000${subscriberId}\u0000${e164}`).slice(0, 16);
  const slug = integrationIdentifier
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 40);
  return `phone-${slug}-${digest}`;
}

/** Phone endpoint writes through the durable queue: one job per user intent, audited, told by DM when late. */
export class EndpointJobs {
  constructor(
    private readonly services: Services,
    private readonly novu: NovuClient,
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
      { dedupeKey: `${removeJob}:${payload.identifier}:${intent}`, workspaceKey: payload.workspaceKey, requestedBy: payload.requestedBy },
      { waitMs: this.services.config.tuning.inlineWaitMs, inlineRetries: true },
    );
  }

  private async register({ body }: RegisterPayload, context: JobRunContext): Promise<RegisterResult> {
    const write = { retry: context.retry, deadlineMs: context.deadlineMs };
    try {
      const endpoint = await this.novu.createPhoneEndpoint(body, {
        ...write,
        idempotencyKey: idempotencyKey('channel-endpoints.create', context.job.id, body),
      });
      return { endpoint, existing: false };
    } catch (error) {
      if (!(error instanceof BackendError) || error.status !== 409 || /being processed/i.test(error.vendorMessage ?? ''))
        throw asNovuJobError(error, (explanation) => new EndpointWriteError(explanation));
      return { endpoint: await this.sameEndpointOrThrow(body), existing: true };
    }
  }

  /** A 409 on our identifier: the same registration made earlier, or the identifier taken by another endpoint. */
  private async sameEndpointOrThrow(body: CreatePhoneEndpointBody): Promise<ChannelEndpoint> {
    const found = await this.novu.getEndpoint(body.identifier);
    const sameNumber = found.endpoint?.phoneNumber === body.endpoint.phoneNumber && found.subscriberId === body.subscriberId;
    if (found.type === 'phone' && sameNumber) return found;
    throw new EndpointWriteError({
      reason: `The endpoint identifier ${body.identifier} is already used by another endpoint (${found.type}${found.subscriberId ? ` of ${found.subscriberId}` : ''})`,
      hint: 'Choose another identifier, or leave it empty to let Switchboard make one.',
      field: 'identifier',
      terminal: true,
    });
  }

  private async remove({ identifier }: RemovePayload, context: JobRunContext): Promise<RemoveResult> {
    try {
      await this.novu.deleteEndpoint(identifier, { retry: context.retry, deadlineMs: context.deadlineMs });
      return { identifier, alreadyGone: false };
    } catch (error) {
      if (isNovuNotFound(error)) return { identifier, alreadyGone: true };
      throw asNovuJobError(error, (explanation) => new EndpointWriteError(explanation));
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
  if (/channel connection/i.test(message)) return 'connection';
  if (/identifier/i.test(message)) return 'identifier';
  if (/context/i.test(message)) return 'context';
  if (/phone|endpoint must match/i.test(message)) return 'number';
  return undefined;
}
