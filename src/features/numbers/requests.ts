import { setTimeout as sleep } from 'node:timers/promises';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { JobDefinition, JobOutcome } from '../../jobs/queue.js';
import { type Actor, actorOf } from '../../slack/actor.js';
import { refusalMessage, refusedView } from '../../slack/commands/messages.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { originOf } from '../../slack/share.js';
import { submissionIntent } from '../../slack/view-state.js';
import type { NewJob, NumberRequest, WorkspaceKey } from '../../store/types.js';
import { newId } from '../../util/ids.js';
import type { NumberDeps } from '../deps.js';
import { messageOperators } from '../operators.js';
import { maskPhoneNumber } from '../phone/phone-number.js';
import type { ImportRequest } from './import-form.js';
import type { ProvisionJobs } from './provision-jobs.js';
import {
  asRequestForm,
  decidedRequestMessage,
  decidedRequestText,
  homeWithDecision,
  isRequestForm,
  numberRequestMessage,
  type PendingNumberRequest,
  type ProvisionProgress,
  requesterDecisionMessage,
  requestRefusals,
  requestSentView,
} from './request-messages.js';
import { type RequestedNumber, readRequestedNumber, requestIntent, sipSubmissionIntent, storedPayload } from './request-payload.js';
import { generateSipCredentials, readCredentialsVersion, type SipRequest, sipModal, sipPrefillOf } from './sip-form.js';
import type { Provisioned } from './telephony.js';

/** Opening a form waits at most this long to learn whether the person may provision (the trigger lasts 3 seconds). */
const openBudgetMs = 300;
/** A submission's acknowledgement waits at most this long to learn the same: the provisioning check may then wait its own budget. */
const submitBudgetMs = 750;

type Decision = 'approved' | 'denied';
/** A request form's submission; `field` is the block that shows a problem, the form kept as typed. */
type SubmitArgs = Pick<ViewSubmissionArgs, 'ack' | 'view'> & { actor: Actor; field: string };

const decisionAudit = { approved: 'numbers.request.approve', denied: 'numbers.request.deny' } as const;

/** Booked for each request at its expiry, in the durable queue: an undecided request lapses then, and its requester hears of it. */
export const requestExpiryJob = 'numbers.request.expire';
/** Recorded with each request before the form is answered: its expiry booked, the audit line, the operators asked. */
export const requestAnnounceJob = 'numbers.request.announce';

/**
 * Requests for paid numbers. Someone who may ask (`numbers.request`) but not provision
 * (`numbers.provision`) gets the provisioning forms as requests: the exact vendor request is
 * stored (the SIP password sealed) and operators are asked by direct message, on the Home tab and
 * in the audit channel. An approval runs the stored request once, as the requester's provisioning
 * job; a request is decided once, atomically in the store, and not after it expires.
 */
export class NumberRequests {
  constructor(
    private readonly services: NumberDeps,
    private readonly provisioning: ProvisionJobs,
  ) {}

  /** The jobs this part runs: registered with the queue when the app starts. */
  get definitions(): JobDefinition[] {
    return [
      { kind: requestExpiryJob, run: ({ requestId }) => this.expireIfUndecided(requestId) } satisfies JobDefinition<{ requestId: string }, void>,
      { kind: requestAnnounceJob, run: ({ requestId }) => this.announce(requestId) } satisfies JobDefinition<{ requestId: string }, void>,
    ];
  }

  register(app: SlackListeners): void {
    // On the Home tab the action ids carry `:<request id>`.
    const decide = { may: 'numbers.provision', owns: { record: 'numberRequest', in: 'value' } } as const;
    app.action(/^numbers\.request\.approve(:.+)?$/, decide, (args: ButtonArgs) => this.decideFromButton(args, 'approved'));
    app.action(/^numbers\.request\.deny(:.+)?$/, decide, (args: ButtonArgs) => this.decideFromButton(args, 'denied'));
  }

  /** The form to open: as drawn when the person may provision, or while Slack has not said; as a request when they may not. */
  async formFor(actor: Actor, client: WebClient, form: View, backend: RequestedNumber['backend']): Promise<View> {
    const mayProvision = await within(openBudgetMs, this.services.permissions.allows(actor, 'numbers.provision', client));
    return mayProvision === false ? asRequestForm(form, backend) : form;
  }

  /**
   * Whether a submission provisions or asks. A form drawn as a request stays one; a form drawn to
   * provision (opened while the check was pending, say) asks when the person may not provision.
   */
  async submissionMode(actor: Actor, client: WebClient, view: ViewSubmissionArgs['view']): Promise<'provision' | 'request'> {
    if (isRequestForm(view)) return 'request';
    const mayProvision = await within(submitBudgetMs, this.services.permissions.allows(actor, 'numbers.provision', client));
    return mayProvision === false ? 'request' : 'provision';
  }

  async askForVapiNumber({ ack, view, actor, field }: SubmitArgs, read: SipRequest): Promise<void> {
    const id = newId();
    const requested: RequestedNumber = { backend: 'vapi', body: this.provisioning.sealPassword(read.body, requestIntent(id)) };
    await this.services.queue.storedThenTold(() => this.record(id, actor, sipSubmissionIntent(view.id, read.body), requested), {
      stored: (request) => {
        const stored = readRequestedNumber(request);
        // The form sent again with another password finds the first request: the password shown is the one it keeps.
        const password = stored.backend === 'vapi' ? this.provisioning.unsealPassword(stored.body, requestIntent(request.id)) : undefined;
        return ack({ response_action: 'update', view: requestSentView(stored, request.expiresAt, { password, warning: read.warning }) });
      },
      notStored: (text) => ack({ response_action: 'errors', errors: { [field]: text } }),
    });
  }

  async askForImport({ ack, view, actor, field }: SubmitArgs, read: ImportRequest): Promise<void> {
    const requested: RequestedNumber = { backend: 'signalwire', body: read.body, ...(read.name ? { name: read.name } : {}) };
    await this.services.queue.storedThenTold(() => this.record(newId(), actor, submissionIntent(view.id, read), requested), {
      stored: (request) => ack({ response_action: 'update', view: requestSentView(readRequestedNumber(request), request.expiresAt, {}) }),
      notStored: (text) => ack({ response_action: 'errors', errors: { [field]: text } }),
    });
  }

  /** "Generate a strong pair" on a request form: the same as on the provisioning form, for those who may ask. */
  async fillGeneratedCredentials({ body, client }: ButtonArgs, sipHost: string): Promise<void> {
    if (!body.view) return;
    const prefill = {
      ...sipPrefillOf(body.view.state.values),
      ...generateSipCredentials(),
      credentialsVersion: (readCredentialsVersion(body.view.blocks as { block_id?: string }[]) ?? 0) + 1,
      origin: originOf(body.view.private_metadata),
    };
    await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: asRequestForm(sipModal(prefill, sipHost), 'vapi') });
  }

  /**
   * The request and its announcement, both stored before the form is answered. The same form sent
   * again finds the first request and queues its announcement again (the same job), so a process
   * that stopped between the two leaves nothing unannounced once the person sends it again.
   */
  private async record(id: string, actor: Actor, submission: string, requested: RequestedNumber): Promise<NumberRequest> {
    const { request } = await this.services.store.numberRequests.create({
      id,
      submission,
      workspaceKey: actor.tenant.key,
      requestedBy: actor.userId,
      backend: requested.backend,
      payload: storedPayload(requested),
      expiresAt: Date.now() + this.services.config.numberRequestTtlMs,
    });
    await this.queueAnnouncement(request);
    return request;
  }

  /**
   * The announcement, as a job recorded before the form is answered: a restart after the answer
   * cannot lose it, and the same form sent again (the first request found) finds the same job.
   */
  private async queueAnnouncement(request: NumberRequest): Promise<void> {
    await this.services.queue.enqueue(
      requestAnnounceJob,
      { requestId: request.id },
      { dedupeKey: `${requestAnnounceJob}:${request.id}`, workspaceKey: request.workspaceKey, requestedBy: request.requestedBy },
    );
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

  private async decideFromButton(args: ButtonArgs, decision: Decision): Promise<void> {
    const actor = actorOf(args.context);
    const requestId = args.action.value ?? '';
    const { store } = this.services;
    const request = await store.numberRequests.get(requestId);
    if (!request) return this.answerPrivately(args, requestRefusals.notFound);
    const objection = this.objectionTo(actor, request, decision);
    if (objection) {
      await this.audit(decisionAudit[decision], 'refused', actor, request, { error: objection });
      return this.answerPrivately(args, objection);
    }
    const requested = readRequestedNumber(request);
    const decided =
      decision === 'approved'
        ? await store.numberRequests.approve(request.id, actor.userId, this.provisionJob(request, requested, actor.userId))
        : await store.numberRequests.decide(request.id, decision, actor.userId).then((denied) => denied && { request: denied, job: undefined });
    if (!decided) return this.showSettled(args, request, requested);
    await this.audit(decisionAudit[decision], 'ok', actor, decided.request, { requestedBy: decided.request.requestedBy });
    await this.tellRequester(decided.request, requested);
    if (!decided.job) return this.showDecision(args, decided.request, requested);
    await this.showDecision(args, decided.request, requested, { state: 'running' });
    // The job tells the requester how it ended (its follow-up); this copy shows it too.
    const outcome = await this.services.queue.adopt<Provisioned>(decided.job).run();
    await this.showDecision(args, decided.request, requested, progressOf(outcome));
  }

  /**
   * Only operators decide for another workspace or approve their own request. A requester reaches
   * this only if they may provision now (the policy changed since they asked): they may deny their
   * own request, not approve it.
   */
  private objectionTo(actor: Actor, request: NumberRequest, decision: Decision): string | undefined {
    if (this.services.permissions.isOperator(actor.userId)) return undefined;
    if (decision === 'approved' && request.requestedBy === actor.userId) return requestRefusals.ownRequest;
    return undefined;
  }

  /** The stored request as the requester's provisioning job, stored with the approval: its dedupe key comes from the request's id. */
  private provisionJob(request: NumberRequest, requested: RequestedNumber, approvedBy: string): NewJob {
    const intent = requestIntent(request.id);
    const owner = { workspaceKey: request.workspaceKey, requestedBy: request.requestedBy, approvedBy };
    if (requested.backend === 'vapi') return this.provisioning.draftCreate({ ...owner, intent, body: requested.body });
    return this.provisioning.draftImport({ ...owner, body: requested.body, ...(requested.name ? { name: requested.name } : {}) }, intent);
  }

  /** Another click decided it first, or it expired: the clicked copy shows which. */
  private async showSettled(args: ButtonArgs, request: NumberRequest, requested: RequestedNumber): Promise<void> {
    const lapsed = request.status === 'pending' && request.expiresAt <= Date.now() ? await this.expire(request, requested) : undefined;
    const current = lapsed ?? (await this.services.store.numberRequests.get(request.id)) ?? request;
    await this.showDecision(args, current, requested);
  }

  private async expireIfUndecided(requestId: string): Promise<void> {
    const request = await this.services.store.numberRequests.get(requestId);
    if (request?.status === 'pending') await this.expire(request, readRequestedNumber(request));
  }

  /** Expires a pending request past its time, once (audited, the requester told); undefined when it was not that. */
  private async expire(request: NumberRequest, requested: RequestedNumber): Promise<NumberRequest | undefined> {
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

  private async tellRequester(request: NumberRequest, requested: RequestedNumber): Promise<void> {
    const ttlHours = Math.round((this.services.config.numberRequestTtlMs / 3_600_000) * 100) / 100;
    await this.services.bots.sendDirectMessage(request.workspaceKey, request.requestedBy, requesterDecisionMessage(request, requested, ttlHours));
  }

  /** Updates the copy that was clicked: the direct message (through its response_url), or the entry on the Home tab. */
  private async showDecision(args: ButtonArgs, request: NumberRequest, requested: RequestedNumber, progress?: ProvisionProgress): Promise<void> {
    const text = decidedRequestText(request, requested, await this.tenantName(request.workspaceKey), progress);
    const home = args.body.view?.type === 'home' ? args.body.view : undefined;
    try {
      if (home) {
        const blocks = homeWithDecision(home.blocks, request, text);
        await args.client.views.publish({ user_id: actorOf(args.context).userId, view: { type: 'home', blocks } });
      } else {
        await args.respond({ replace_original: true, ...decidedRequestMessage(text) });
      }
    } catch (error) {
      this.services.logger.warn({ err: error }, 'could not show the decision on a number request');
    }
  }

  /**
   * A refusal only the clicker sees: under the clicked message, through its response_url; a click on
   * the Home tab has none (nor, then, Bolt's `respond`), so a notice opens on the click's trigger.
   */
  private async answerPrivately(args: ButtonArgs, reason: string): Promise<void> {
    try {
      if (args.body.response_url) await args.respond({ ...refusalMessage(reason), replace_original: false });
      else await args.client.views.open({ trigger_id: args.body.trigger_id, view: refusedView(reason) });
    } catch (error) {
      this.services.logger.warn({ err: error }, 'could not show the refusal of a decision on a number request');
    }
  }

  private async audit(
    action: string,
    outcome: 'ok' | 'refused',
    actor: Actor,
    request: NumberRequest,
    extra: { error?: string; requestedBy?: string },
  ): Promise<void> {
    await this.services.audit.record({
      action,
      outcome,
      workspaceKey: outcome === 'refused' ? actor.tenant.key : request.workspaceKey,
      userId: actor.userId,
      target: `number request ${request.id}`,
      backend: request.backend,
      error: extra.error,
      detail: { request: request.id, ...(extra.requestedBy ? { requestedBy: extra.requestedBy } : {}) },
    });
  }

  private async tenantName(workspaceKey: WorkspaceKey): Promise<string | undefined> {
    return (await this.services.tenants.names([workspaceKey])).get(workspaceKey);
  }
}

/** The Home tab's list: every tenant's requests for operators, the tenant's own for others who may provision. */
export async function pendingNumberRequests(
  services: Pick<NumberDeps, 'permissions' | 'store' | 'tenants' | 'logger'>,
  actor: Actor,
  limit = 5,
): Promise<PendingNumberRequest[]> {
  const scope = services.permissions.isOperator(actor.userId) ? undefined : actor.tenant.key;
  const requests = await services.store.numberRequests.pending({ workspaceKey: scope, limit });
  const names = await services.tenants.names(requests.map((request) => request.workspaceKey));
  return requests.flatMap((request) => {
    try {
      return [{ request, requested: readRequestedNumber(request), tenant: names.get(request.workspaceKey) }];
    } catch (error) {
      // One unreadable request must not take the Home tab down with it.
      services.logger.warn({ err: error, requestId: request.id }, 'a stored number request could not be read');
      return [];
    }
  });
}

/** For the audit log: what was asked for, phone numbers masked as the provisioning jobs mask them. */
function auditTarget(requested: RequestedNumber): string {
  if (requested.backend === 'signalwire') return maskPhoneNumber(requested.body.number);
  return requested.body.sipUri ?? `${requested.body.name} (area code ${requested.body.numberDesiredAreaCode ?? '?'})`;
}

function progressOf(outcome: JobOutcome<Provisioned>): ProvisionProgress {
  if (outcome.status === 'failed') return { state: 'failed', error: outcome.error };
  if (outcome.status === 'queued') return { state: 'queued' };
  const { result } = outcome;
  const shown = result.backend === 'vapi' ? (result.number.sipUri ?? result.number.number) : result.number.number;
  return { state: 'done', number: shown ?? result.number.id, vendorId: result.number.id };
}

/** Resolves with the answer, or with undefined once `budgetMs` have passed; a late answer is dropped. */
async function within<T>(budgetMs: number, answer: Promise<T>): Promise<T | undefined> {
  answer.catch(() => {});
  return Promise.race([answer, sleep(budgetMs, undefined, { ref: false })]);
}
