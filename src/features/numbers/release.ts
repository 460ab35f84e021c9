import { BackendError, backendLabels } from '../../http/errors.js';
import { type Accepted, finishAudit, type JobDefinition, type JobFinish, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { EndpointCursor, NumberBackend, OwnedEndpoint, OwnedNumber, WorkspaceKey } from '../../store/types.js';
import { tenantOfKey } from '../../tenancy/tenant.js';
import type { NumberDeps } from '../deps.js';
import { EndpointWriter } from '../endpoint-writer.js';
import { describeNovuFailure } from '../novu-failures.js';
import { maskPhoneNumber } from '../phone/phone-number.js';
import { asTelephonyJobError, describeTelephonyFailure } from './telephony.js';

const releaseJob = 'number.release';

/** What a finished release tells the person: rendered by the feature's views. */
export interface ReleaseNotes {
  released(target: ReleaseTarget, outcome: JobFinish<Released>['outcome']): SlackMessage;
}

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
  /** Endpoints Novu would not remove (after the number itself was released), with Novu's reason. */
  endpointsLeft: { identifier: string; reason: string }[];
}

/** The vendor's word for "this number cannot go now", in the shapes Vapi (NestJS) and SignalWire (relay REST) answer with. */
const inUseWording = /\b(in use|assigned|attached|active call|in a call|being used)\b/i;

/** Endpoints listed with one number, at most (a number registered for more subscribers than this is not a phone line). */
const maxEndpointsPerNumber = 1_000;

/**
 * Giving a number back: the vendor's delete, then Switchboard's record, then the owner's Novu phone
 * endpoints for it. One job per confirmation; the job claims the number in the store first, so
 * two confirmations never release it at once, and a later one finds the record gone and stops
 * before calling the vendor. A vendor that refuses (the number is in use) ends the job with its
 * words and nothing removed. Once the vendor has released it, the endpoints are retried while
 * Novu fails for a while; any Novu still refuses to remove are reported, not hidden.
 */
export class NumberRelease {
  private readonly endpoints: EndpointWriter | undefined;

  constructor(
    private readonly services: NumberDeps,
    private readonly notes: ReleaseNotes,
  ) {
    const { backends, novuScope } = services;
    this.endpoints = backends.novu && novuScope ? new EndpointWriter(services, backends.novu, novuScope) : undefined;
  }

  get definitions(): JobDefinition[] {
    return [
      {
        kind: releaseJob,
        describe: 'release a number',
        run: (payload, context) => this.release(payload, context),
        onFinished: (finish) => this.afterRelease(finish),
        describeError: describeTelephonyFailure,
      } satisfies JobDefinition<ReleasePayload, Released>,
    ];
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
    const label = owned ? (owned.number ?? owned.sipUri ?? owned.vendorId) : shownLabel;
    return { backend, vendorId, label, ownerKey: owned?.workspaceKey, endpoints: owned ? await this.endpointsFor(owned) : [] };
  }

  /** Stores the release for the person waiting; `confirmation` is unique to the confirmation they submitted. */
  acceptRelease(payload: ReleasePayload, confirmation: string): Promise<Accepted<Released>> {
    return this.services.queue.accept<Released>(releaseJob, payload, `${releaseJob}:${payload.target.backend}:${payload.target.vendorId}:${confirmation}`);
  }

  private async endpointsFor(number: OwnedNumber): Promise<ReleaseTarget['endpoints']> {
    if (!number.number) return [];
    const found: ReleaseTarget['endpoints'] = [];
    let after: EndpointCursor | undefined;
    while (found.length < maxEndpointsPerNumber) {
      const page = await this.services.store.endpoints.page({ workspaceKey: number.workspaceKey, types: ['phone'], target: number.number, after, limit: 200 });
      found.push(...page.map(({ identifier, subscriberId }) => ({ identifier, subscriberId })));
      const last = page.at(-1);
      if (!last || page.length < 200) break;
      after = { createdAt: last.createdAt, identifier: last.identifier };
    }
    return found;
  }

  private async release(payload: ReleasePayload, context: JobRunContext): Promise<Released> {
    const { target } = payload;
    const { store, permissions } = this.services;
    const owned = await store.numbers.find(target.backend, target.vendorId);
    if (owned && owned.workspaceKey !== payload.workspaceKey && !permissions.isOperator(payload.requestedBy)) {
      throw new TerminalJobError('This number belongs to another workspace: Switchboard left it alone.');
    }
    if (target.endpoints.length > 0 && !this.endpoints) {
      throw new TerminalJobError(
        'Novu is not set up, so the phone endpoints of this number could not be removed with it: set NOVU_SECRET_KEY. Nothing was released.',
      );
    }
    // A number Switchboard recorded and no longer does was released by an earlier run: on a retry,
    // this job's own first attempt (a claim keeps others out meanwhile). The vendor is not asked again.
    let alreadyGone = context.attempt === 1;
    if (owned || !target.ownerKey) {
      if (owned && !(await store.numbers.claimRelease(target.backend, target.vendorId, context.job.id))) {
        throw new TerminalJobError('Another confirmation is releasing this number right now: its result will tell.');
      }
      alreadyGone = await this.deleteAtVendor(target, context);
      await store.numbers.remove(target.backend, target.vendorId);
    }
    return { target, alreadyGone, ...(await this.removeEndpoints(payload, context)) };
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

  /**
   * The owner's endpoints Switchboard still records. A Novu failure that may pass is retried (the
   * job runs again, and the number is not deleted twice); on the last attempt, or when Novu refuses
   * for good, what is left is reported with the release.
   */
  private async removeEndpoints(
    { requestedBy, target }: ReleasePayload,
    context: JobRunContext,
  ): Promise<Pick<Released, 'endpointsRemoved' | 'endpointsLeft'>> {
    const writer = this.endpoints;
    const endpointsRemoved: string[] = [];
    const endpointsLeft: Released['endpointsLeft'] = [];
    if (!target.ownerKey || !writer) return { endpointsRemoved, endpointsLeft };
    const owner = tenantOfKey(target.ownerKey);
    let retryable: unknown;
    for (const { identifier } of target.endpoints) {
      if (!(await this.services.store.endpoints.find(identifier))) continue;
      try {
        await writer.remove(owner, requestedBy, identifier, ['phone'], context, () => new TerminalJobError(`endpoint ${identifier} is not this workspace's`));
        endpointsRemoved.push(identifier);
      } catch (error) {
        if (!(error instanceof TerminalJobError)) retryable ??= error;
        endpointsLeft.push({ identifier, reason: describeNovuFailure(error) });
      }
    }
    if (retryable !== undefined && context.job.attempts < context.job.maxAttempts) throw retryable;
    return { endpointsRemoved, endpointsLeft };
  }

  private async afterRelease({ job, payload, outcome, deliveredInline, audit, tell }: JobFinish<Released, ReleasePayload>): Promise<void> {
    const { target } = payload;
    // A release that ended without releasing lets go of the number, for the next confirmation.
    if (outcome.status === 'failed') await this.services.store.numbers.dropReleaseClaim(target.backend, target.vendorId, job.id);
    await audit({
      action: 'number.release',
      ...finishAudit(payload, outcome),
      target: target.label.startsWith('+') ? maskPhoneNumber(target.label) : target.label,
      backend: target.backend,
      backendId: target.vendorId,
      detail: {
        attempts: job.attempts,
        ...(target.ownerKey && target.ownerKey !== payload.workspaceKey ? { owner: target.ownerKey } : {}),
        ...(outcome.status === 'done' ? { endpointsRemoved: outcome.result.endpointsRemoved.length, endpointsLeft: outcome.result.endpointsLeft.length } : {}),
      },
    });
    if (!deliveredInline) await tell(payload.workspaceKey, payload.requestedBy, this.notes.released(target, outcome));
    await this.services.events.emit('homeChanged', { userId: payload.requestedBy, tenant: tenantOfKey(payload.workspaceKey) });
  }
}

/** The vendor's refusal because the number is in use is final, in its own words; other failures are judged as for provisioning. */
function asReleaseError(error: unknown): unknown {
  if (!(error instanceof BackendError)) return error;
  const { status, vendorMessage } = error.failure;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429 && vendorMessage && inUseWording.test(vendorMessage)) {
    return new TerminalJobError(`${backendLabels[error.backend]} would not release it because it is in use: ${vendorMessage}. Nothing was removed.`);
  }
  return asTelephonyJobError(error);
}
