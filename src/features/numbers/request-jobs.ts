import type { JobDefinition } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { NumberRequest, WorkspaceKey } from '../../store/types.js';
import type { NumberDeps } from '../deps.js';
import { messageOperators } from '../operators.js';
import { maskPhoneNumber } from '../phone/phone-number.js';
import { numberRequestMessage, requesterDecisionMessage } from './request-messages.js';
import { type RequestedNumber, readRequestedNumber, storedPayload } from './request-payload.js';

/** Booked for each request at its expiry, in the durable queue: an undecided request lapses then, and its requester hears of it. */
const requestExpiryJob = 'numbers.request.expire';
/** Recorded with each request before the form is answered: its expiry booked, the audit line, the operators asked. */
const requestAnnounceJob = 'numbers.request.announce';

/**
 * A request's life in the store and the durable queue: recorded with its announcement, announced
 * to the operators, and expired (its requester told) when nobody decided it in time.
 */
export class RequestJobs {
  constructor(private readonly services: NumberDeps) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: requestExpiryJob,
        describe: 'close a request for a number nobody answered',
        run: ({ requestId }) => this.expireIfUndecided(requestId),
      } satisfies JobDefinition<{ requestId: string }, void>,
      {
        kind: requestAnnounceJob,
        describe: 'tell operators about a request for a number',
        run: ({ requestId }) => this.announce(requestId),
      } satisfies JobDefinition<{ requestId: string }, void>,
    ];
  }

  /**
   * The request and its announcement, both stored before the form is answered. The same form sent
   * again finds the first request and queues its announcement again (the same job, by its dedupe
   * key), so a process that stopped between the two leaves nothing unannounced once the person
   * sends it again, and a restart after the answer cannot lose it.
   */
  async record(id: string, actor: Actor, submission: string, requested: RequestedNumber): Promise<NumberRequest> {
    const { request } = await this.services.store.numberRequests.create({
      id,
      submission,
      workspaceKey: actor.tenant.key,
      requestedBy: actor.userId,
      backend: requested.backend,
      payload: storedPayload(requested),
      expiresAt: Date.now() + this.services.config.numberRequestTtlMs,
    });
    await this.services.queue.enqueue(
      requestAnnounceJob,
      { requestId: request.id },
      { dedupeKey: `${requestAnnounceJob}:${request.id}`, workspaceKey: request.workspaceKey, requestedBy: request.requestedBy },
    );
    return request;
  }

  /** Expires a pending request past its time, once (audited, the requester told); undefined when it was not that. */
  async expire(request: NumberRequest, requested: RequestedNumber): Promise<NumberRequest | undefined> {
    const expired = await this.services.store.numberRequests.expire(request.id);
    if (!expired) return undefined;
    await this.services.audit.record({
      action: 'numbers.request.expire',
      outcome: 'ok',
      workspaceKey: expired.workspaceKey,
      target: auditTarget(requested),
      backend: expired.backend,
      detail: { request: expired.id, requestedBy: expired.requestedBy },
    });
    await this.tellRequester(expired, requested);
    return expired;
  }

  async tellRequester(request: NumberRequest, requested: RequestedNumber): Promise<void> {
    const ttlHours = Math.round((this.services.config.numberRequestTtlMs / 3_600_000) * 100) / 100;
    await this.services.bots.sendDirectMessage(request.workspaceKey, request.requestedBy, requesterDecisionMessage(request, requested, ttlHours));
  }

  async tenantName(workspaceKey: WorkspaceKey): Promise<string | undefined> {
    return (await this.services.tenants.names([workspaceKey])).get(workspaceKey);
  }

  /**
   * Its expiry booked, audited (which posts the line in the audit channel), and sent to every
   * operator by direct message while it waits. A retried run may repeat the audit line or a message.
   */
  private async announce(requestId: string): Promise<void> {
    const request = await this.services.store.numberRequests.get(requestId);
    if (!request) return;
    const requested = readRequestedNumber(request);
    await this.services.queue.enqueue(
      requestExpiryJob,
      { requestId: request.id },
      { dedupeKey: `${requestExpiryJob}:${request.id}`, workspaceKey: request.workspaceKey, runAt: request.expiresAt },
    );
    await this.services.audit.record({
      action: 'numbers.request',
      outcome: 'queued',
      workspaceKey: request.workspaceKey,
      userId: request.requestedBy,
      target: auditTarget(requested),
      backend: request.backend,
      detail: { request: request.id, expiresAt: new Date(request.expiresAt).toISOString() },
    });
    // Decided already (from the Home tab, before this ran): there is nothing to ask.
    if (request.status !== 'pending') return;
    const tenant = await this.tenantName(request.workspaceKey);
    await messageOperators(this.services, numberRequestMessage(request, requested, tenant), [request.workspaceKey]);
  }

  private async expireIfUndecided(requestId: string): Promise<void> {
    const request = await this.services.store.numberRequests.get(requestId);
    if (request?.status === 'pending') await this.expire(request, readRequestedNumber(request));
  }
}

/** For the audit log: what was asked for, phone numbers masked as the provisioning jobs mask them. */
function auditTarget(requested: RequestedNumber): string {
  if (requested.change) return requested.change.label.startsWith('+') ? maskPhoneNumber(requested.change.label) : requested.change.label;
  if (requested.backend === 'signalwire') return maskPhoneNumber(requested.body.number);
  return requested.body.sipUri ?? `${requested.body.name} (area code ${requested.body.numberDesiredAreaCode ?? '?'})`;
}
