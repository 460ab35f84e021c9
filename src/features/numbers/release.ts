import type { Services } from '../../app/services.js';
import { BackendError, backendLabels } from '../../http/errors.js';
import { type JobFinish, type JobOutcome, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { NumberBackend, OwnedEndpoint, OwnedNumber, WorkspaceKey } from '../../store/types.js';
import { tenantOfKey } from '../../tenancy/tenant.js';
import { EndpointWriter } from '../endpoint-writer.js';
import { maskPhoneNumber } from '../phone/phone-number.js';
import { explainTelephonyError } from './provision-jobs.js';
import { releasedMessage } from './release-messages.js';

export const releaseJob = 'number.release';

/** A number as the person confirming its release saw it. */
export interface ReleaseTarget {
  backend: NumberBackend;
  vendorId: string;
  /** E.164 or SIP URI, for people. */
  label: string;
  /** The tenant that owns it, when Switchboard provisioned it; absent for an operator's release of a number it did not. */
  ownerKey?: WorkspaceKey;
  /** The owner's Novu phone endpoints for this number, removed with it. */
  endpoints: Pick<OwnedEndpoint, 'identifier' | 'subscriberId'>[];
}

export interface ReleasePayload {
  /** The tenant of the person releasing. */
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  target: ReleaseTarget;
}

export interface Released {
  target: ReleaseTarget;
  /** The vendor no longer had the number: someone released it before (in its dashboard, or an earlier attempt). */
  alreadyGone: boolean;
  endpointsRemoved: string[];
}

/** The vendor's word for "this number cannot go now", in the shapes Vapi (NestJS) and SignalWire (relay REST) answer with. */
const inUseWording = /\b(in use|assigned|attached|active call|in a call|being used)\b/i;

/**
 * Giving a number back: the vendor's delete, then the owner's Novu phone endpoints for it, then
 * Switchboard's record. One job per confirmation; the job takes a lock on the number, so two
 * confirmations (or replicas) never both delete, and a repeated run finds the record gone and
 * stops. A vendor that says the number is in use ends the job with its words and nothing removed.
 */
export class NumberRelease {
  /** Set by the features: republishes a person's App Home. */
  refreshHome: ((actor: Actor) => Promise<void>) | undefined;
  private readonly endpoints: EndpointWriter | undefined;

  constructor(private readonly services: Services) {
    const { backends, novuScope } = services;
    this.endpoints = backends.novu && novuScope ? new EndpointWriter(services, backends.novu, novuScope) : undefined;
    services.queue.define<ReleasePayload, Released>({
      kind: releaseJob,
      run: (payload, context) => this.release(payload, context),
      onFinished: (finish) => this.afterRelease(finish),
      describeError: (error) => (error instanceof TerminalJobError ? error.message : explainTelephonyError(error).reason),
    });
  }

  /**
   * What releasing this number would do, for the person asking, or why they may not: a tenant
   * releases only what Switchboard provisioned for it; operators release any number.
   */
  async target(actor: Actor, backend: NumberBackend, vendorId: string, shownLabel: string): Promise<ReleaseTarget | { refusal: string }> {
    const owned = await this.services.store.numbers.find(backend, vendorId);
    const operator = this.services.permissions.isOperator(actor.userId);
    if (!operator && owned?.workspaceKey !== actor.tenant.key) {
      return {
        refusal: owned
          ? 'This number was not provisioned for this workspace through Switchboard, so it cannot be released from here.'
          : 'Switchboard has no record of this number for this workspace: it was released already, or it was not provisioned here.',
      };
    }
    const label = owned ? labelOf(owned) : shownLabel;
    return { backend, vendorId, label, ownerKey: owned?.workspaceKey, endpoints: owned ? await this.endpointsFor(owned) : [] };
  }

  /** Runs the release while the person waits; `confirmation` is unique to the confirmation they submitted. */
  releaseNow(payload: ReleasePayload, confirmation: string): Promise<JobOutcome<Released>> {
    return this.services.queue.whilePersonWaits<Released>(
      releaseJob,
      payload,
      `${releaseJob}:${payload.target.backend}:${payload.target.vendorId}:${confirmation}`,
    );
  }

  private async endpointsFor(number: OwnedNumber): Promise<ReleaseTarget['endpoints']> {
    if (!number.number) return [];
    const found = await this.services.store.endpoints.page({ workspaceKey: number.workspaceKey, types: ['phone'], target: number.number, limit: 100 });
    return found.map(({ identifier, subscriberId }) => ({ identifier, subscriberId }));
  }

  private release(payload: ReleasePayload, context: JobRunContext): Promise<Released> {
    const { target } = payload;
    return this.services.store.withLock(`${releaseJob}:${target.backend}:${target.vendorId}`, async () => {
      const owned = await this.services.store.numbers.find(target.backend, target.vendorId);
      if (target.ownerKey && !owned) return { target, alreadyGone: true, endpointsRemoved: [] };
      if (owned && owned.workspaceKey !== payload.workspaceKey && !this.services.permissions.isOperator(payload.requestedBy)) {
        throw new TerminalJobError('This number belongs to another workspace: Switchboard left it alone.');
      }
      const alreadyGone = await this.deleteAtVendor(target, context);
      const endpointsRemoved = await this.removeEndpoints(payload, context);
      await this.services.store.numbers.remove(target.backend, target.vendorId);
      return { target, alreadyGone, endpointsRemoved };
    });
  }

  /** True when the vendor no longer had it (a 404): released already, by someone or by an earlier attempt whose answer was lost. */
  private async deleteAtVendor({ backend, vendorId }: ReleaseTarget, context: JobRunContext): Promise<boolean> {
    const { vapi, signalwire } = this.services.backends;
    try {
      if (backend === 'vapi') {
        if (!vapi) throw new TerminalJobError('Vapi is not set up: set VAPI_API_KEY');
        await vapi.deletePhoneNumber(vendorId, { retry: context.retry, deadlineMs: context.deadlineMs });
      } else {
        if (!signalwire) throw new TerminalJobError('SignalWire is not set up: set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL');
        await signalwire.deleteNumber(vendorId, { retry: context.retry, deadlineMs: context.deadlineMs });
      }
      return false;
    } catch (error) {
      if (error instanceof BackendError && error.status === 404) return true;
      throw asReleaseError(error);
    }
  }

  private async removeEndpoints({ requestedBy, target }: ReleasePayload, context: JobRunContext): Promise<string[]> {
    if (!target.ownerKey || target.endpoints.length === 0) return [];
    const writer = this.endpoints;
    if (!writer) throw new TerminalJobError('Novu is not set up, so the phone endpoints of this number could not be removed: set NOVU_SECRET_KEY');
    const owner = tenantOfKey(target.ownerKey);
    const removed: string[] = [];
    for (const { identifier } of target.endpoints) {
      const result = await writer.remove(
        owner,
        requestedBy,
        identifier,
        ['phone'],
        context,
        () => new TerminalJobError(`Endpoint ${identifier} is not this workspace's`),
      );
      removed.push(result.identifier);
    }
    return removed;
  }

  private async afterRelease({ job, outcome, deliveredInline }: JobFinish<Released>): Promise<void> {
    const payload = job.payload as ReleasePayload;
    const { target } = payload;
    await this.services.audit.record({
      action: 'number.release',
      outcome: outcome.status === 'done' ? (outcome.result.alreadyGone ? 'not-found' : 'ok') : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      target: target.label.startsWith('+') ? maskPhoneNumber(target.label) : target.label,
      backend: target.backend,
      backendId: target.vendorId,
      error: outcome.status === 'failed' ? outcome.error : undefined,
      detail: {
        attempts: job.attempts,
        ...(target.ownerKey && target.ownerKey !== payload.workspaceKey ? { owner: target.ownerKey } : {}),
        ...(outcome.status === 'done' ? { endpointsRemoved: outcome.result.endpointsRemoved.length } : {}),
      },
    });
    if (!deliveredInline) await this.services.bots.sendDirectMessage(payload.workspaceKey, payload.requestedBy, releasedMessage(target, outcome));
    await this.refreshHome?.({ userId: payload.requestedBy, tenant: tenantOfKey(payload.workspaceKey) }).catch((error: unknown) => {
      this.services.logger.warn({ err: error }, 'could not refresh the App Home after a release');
    });
  }
}

function labelOf(number: OwnedNumber): string {
  return number.number ?? number.sipUri ?? number.vendorId;
}

/** The vendor's refusal because the number is in use is final, in its own words; other failures are judged as for provisioning. */
function asReleaseError(error: unknown): unknown {
  if (!(error instanceof BackendError)) return error;
  const { status, vendorMessage } = error.failure;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429 && vendorMessage && inUseWording.test(vendorMessage)) {
    return new TerminalJobError(`${backendLabels[error.backend]} would not release it because it is in use: ${vendorMessage}. Nothing was removed.`);
  }
  const explanation = explainTelephonyError(error);
  if (explanation.terminal) return new TerminalJobError(explanation.reason);
  return error.retryable ? error : new Error(explanation.reason);
}
