import type { JobOutcome } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import { sectionMessage } from '../../slack/blocks.js';
import { refusalMessage, refusedView } from '../../slack/commands/messages.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { submissionIntent } from '../../slack/view-state.js';
import type { NewJob, NumberRequest } from '../../store/types.js';
import { newId } from '../../util/ids.js';
import type { NumberDeps } from '../deps.js';
import type { Changed, NumberChange } from './change.js';
import { changeOf } from './change-diff.js';
import type { ImportRequest } from './import-form.js';
import type { ProvisionJobs } from './provision-jobs.js';
import type { RequestJobs } from './request-jobs.js';
import {
  decidedRequestText,
  homeWithDecision,
  type PendingNumberRequest,
  type ProvisionProgress,
  requestRefusals,
  requestSentView,
} from './request-messages.js';
import { type RequestedChange, type RequestedNumber, readRequestedNumber, requestIntent, sipSubmissionIntent } from './request-payload.js';
import { type Decision, objectionTo } from './request-rules.js';
import type { SipRequest } from './sip-read.js';
import type { Provisioned } from './telephony.js';

/** A request form's submission; `field` is the block that shows a problem, the form kept as typed. */
type SubmitArgs = Pick<ViewSubmissionArgs, 'ack' | 'view'> & { actor: Actor; field: string };

const decisionAudit = { approved: 'numbers.request.approve', denied: 'numbers.request.deny' } as const;

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
    private readonly lifecycle: RequestJobs,
    private readonly changes: Pick<NumberChange, 'draft'>,
  ) {}

  register(app: SlackListeners): void {
    // On the Home tab the action ids carry `:<request id>`.
    const decide = { may: 'numbers.provision', owns: { record: 'numberRequest', in: 'value' } } as const;
    app.action(/^numbers\.request\.approve(:.+)?$/, decide, (args: ButtonArgs) => this.decideFromButton(args, 'approved'));
    app.action(/^numbers\.request\.deny(:.+)?$/, decide, (args: ButtonArgs) => this.decideFromButton(args, 'denied'));
  }

  async askForVapiNumber({ ack, view, actor, field }: SubmitArgs, read: SipRequest): Promise<void> {
    const id = newId();
    const report = read.reportChannel ? { report: { channelId: read.reportChannel } } : {};
    const requested: RequestedNumber = { backend: 'vapi', body: this.provisioning.sealPassword(read.body, requestIntent(id)), ...report };
    await this.services.queue.storedThenTold(() => this.lifecycle.record(id, actor, sipSubmissionIntent(view.id, read.body), requested), {
      stored: (request) => {
        const stored = readRequestedNumber(request);
        // The form sent again with another password finds the first request: the password shown is the one it keeps.
        const password = stored.backend === 'vapi' && !stored.change ? this.provisioning.unsealPassword(stored.body, requestIntent(request.id)) : undefined;
        return ack({ response_action: 'update', view: requestSentView(stored, request.expiresAt, { password, warning: read.warning }) });
      },
      notStored: (text) => ack({ response_action: 'errors', errors: { [field]: text } }),
    });
  }

  async askForImport({ ack, view, actor, field }: SubmitArgs, read: ImportRequest): Promise<void> {
    const report = read.reportChannel ? { report: { channelId: read.reportChannel } } : {};
    const requested: RequestedNumber = { backend: 'signalwire', body: read.body, ...(read.name ? { name: read.name } : {}), ...report };
    await this.services.queue.storedThenTold(() => this.lifecycle.record(newId(), actor, submissionIntent(view.id, read), requested), {
      stored: (request) => ack({ response_action: 'update', view: requestSentView(readRequestedNumber(request), request.expiresAt, {}) }),
      notStored: (text) => ack({ response_action: 'errors', errors: { [field]: text } }),
    });
  }

  /** A change in place, asked for by someone who may not make it: stored with its settings before and after, for the operators. */
  async askForChange({ ack, view, actor }: Pick<ViewSubmissionArgs, 'ack' | 'view'> & { actor: Actor }, change: RequestedChange): Promise<void> {
    const requested: RequestedNumber = { backend: change.backend, change };
    await this.services.queue.storedThenTold(() => this.lifecycle.record(newId(), actor, submissionIntent(view.id, change), requested), {
      stored: (request) => ack({ response_action: 'update', view: requestSentView(readRequestedNumber(request), request.expiresAt, {}) }),
      notStored: (text) => ack({ response_action: 'update', view: refusedView(text) }),
    });
  }

  private async decideFromButton(args: ButtonArgs, decision: Decision): Promise<void> {
    const { actor } = args;
    const requestId = args.action.value ?? '';
    const { store } = this.services;
    const request = await store.numberRequests.get(requestId);
    if (!request) return this.answerPrivately(args, requestRefusals.notFound);
    const objection = objectionTo(this.services.permissions, actor, request, decision);
    if (objection) {
      await this.audit(decision, actor, request, objection);
      return this.answerPrivately(args, objection);
    }
    const requested = readRequestedNumber(request);
    // The decision (with an approval's job) is stored before anyone is told of it.
    const stored = await this.services.queue.storedThenTold(
      async () => ({
        decided:
          decision === 'approved'
            ? await store.numberRequests.approve(request.id, actor.userId, this.provisionJob(request, requested, actor.userId))
            : await store.numberRequests.decide(request.id, decision, actor.userId).then((denied) => denied && { request: denied, job: undefined }),
      }),
      { notStored: (text) => this.answerPrivately(args, text) },
    );
    if (!stored) return;
    const { decided } = stored;
    if (!decided) return this.showSettled(args, request, requested);
    await this.audit(decision, actor, decided.request);
    await this.lifecycle.tellRequester(decided.request, requested);
    if (!decided.job) return this.showDecision(args, decided.request, requested);
    await this.showDecision(args, decided.request, requested, { state: 'running' });
    // The job tells the requester how it ended (its follow-up); this copy shows it too.
    const outcome = await this.services.queue.adopt<Provisioned | Changed>(decided.job).run();
    await this.showDecision(args, decided.request, requested, progressOf(outcome));
  }

  /** The stored request as the requester's provisioning job, stored with the approval: its dedupe key comes from the request's id. */
  private provisionJob(request: NumberRequest, requested: RequestedNumber, approvedBy: string): NewJob {
    const intent = requestIntent(request.id);
    const owner = { workspaceKey: request.workspaceKey, requestedBy: request.requestedBy, approvedBy };
    if (requested.change) {
      const { before, after, ...target } = requested.change;
      return this.changes.draft({ ...owner, target, ...changeOf(before, after) }, intent);
    }
    // The channel chosen when asking: the number reports there once it exists, as if provisioned directly.
    const report = requested.report ? { report: requested.report } : {};
    if (requested.backend === 'vapi') return this.provisioning.draftCreate({ ...owner, intent, body: requested.body, ...report });
    return this.provisioning.draftImport({ ...owner, body: requested.body, ...(requested.name ? { name: requested.name } : {}), ...report }, intent);
  }

  /** Another click decided it first, or it expired: the clicked copy shows which. */
  private async showSettled(args: ButtonArgs, request: NumberRequest, requested: RequestedNumber): Promise<void> {
    const lapsed = request.status === 'pending' && request.expiresAt <= Date.now() ? await this.lifecycle.expire(request, requested) : undefined;
    const current = lapsed ?? (await this.services.store.numberRequests.get(request.id)) ?? request;
    await this.showDecision(args, current, requested);
  }

  /** Updates the copy that was clicked: the direct message (through its response_url), or the entry on the Home tab. */
  private async showDecision(args: ButtonArgs, request: NumberRequest, requested: RequestedNumber, progress?: ProvisionProgress): Promise<void> {
    const text = decidedRequestText(request, requested, await this.lifecycle.tenantName(request.workspaceKey), progress);
    const home = args.body.view?.type === 'home' ? args.body.view : undefined;
    try {
      if (home) {
        const blocks = homeWithDecision(home.blocks, request, text);
        await args.client.views.publish({ user_id: args.actor.userId, view: { type: 'home', blocks } });
      } else {
        await args.respond({ replace_original: true, ...sectionMessage(text) });
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

  /** A decision, or its refusal (audited in the clicker's workspace). */
  private async audit(decision: Decision, actor: Actor, request: NumberRequest, refusal?: string): Promise<void> {
    await this.services.audit.record({
      action: decisionAudit[decision],
      outcome: refusal ? 'refused' : 'ok',
      workspaceKey: refusal ? actor.tenant.key : request.workspaceKey,
      userId: actor.userId,
      target: `number request ${request.id}`,
      backend: request.backend,
      error: refusal,
      detail: { request: request.id, ...(refusal ? {} : { requestedBy: request.requestedBy }) },
    });
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

function progressOf(outcome: JobOutcome<Provisioned | Changed>): ProvisionProgress {
  if (outcome.status === 'failed') return { state: 'failed', error: outcome.error };
  if (outcome.status === 'queued') return { state: 'queued' };
  const { result } = outcome;
  if ('lines' in result) return { state: 'done', number: result.target.label, vendorId: result.target.vendorId, changed: true };
  const shown = result.backend === 'vapi' ? (result.number.sipUri ?? result.number.number) : result.number.number;
  return { state: 'done', number: shown ?? result.number.id, vendorId: result.number.id };
}
