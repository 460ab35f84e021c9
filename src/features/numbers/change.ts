import type { VapiNamed } from '../../backends/vapi/schemas.js';
import { type Accepted, finishAudit, type JobDefinition, type JobFinish, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { submissionIntent } from '../../slack/view-state.js';
import type { NewJob, WorkspaceKey } from '../../store/types.js';
import { tenantOfKey } from '../../tenancy/tenant.js';
import type { NumberDeps } from '../deps.js';
import { maskPhoneNumber } from '../phone/phone-number.js';
import type { ChangeTarget } from './change-form.js';
import { type ChangeBody, type ChangeLine, type NumberSettings, signalWireSettingsOf, vapiSettingsOf } from './change-model.js';
import { asTelephonyJobError, describeTelephonyFailure } from './telephony.js';

const changeJob = 'number.change';

export interface ChangePayload {
  /** The tenant of the person who changes it (or asked for the change). */
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  approvedBy?: string;
  target: ChangeTarget;
  change: ChangeBody;
  lines: ChangeLine[];
}

export interface Changed {
  target: ChangeTarget;
  lines: ChangeLine[];
}

/** What a finished change tells the person: rendered by the feature's views. */
export interface ChangeNotes {
  changed(target: ChangeTarget, lines: ChangeLine[], outcome: JobFinish<Changed>['outcome']): SlackMessage;
}

/**
 * Changing a number in place: one vendor request (Vapi's PATCH, SignalWire's PUT) with only what
 * changes, as one durable job per confirmed intent, audited, the person told before → after.
 */
export class NumberChange {
  constructor(
    private readonly services: NumberDeps,
    private readonly notes: ChangeNotes,
  ) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: changeJob,
        describe: 'change a number in place',
        run: (payload, context) => this.run(payload, context),
        onFinished: (finish) => this.afterChange(finish),
        describeError: describeTelephonyFailure,
      } satisfies JobDefinition<ChangePayload, Changed>,
    ];
  }

  /** The number's settings as its vendor has them now, with assistants' and squads' names where Vapi gives them. */
  async current(target: ChangeTarget): Promise<NumberSettings> {
    const { vapi, signalwire } = this.services.backends;
    if (target.backend === 'signalwire') {
      if (!signalwire) throw new Error('SignalWire is not set up');
      return signalWireSettingsOf(await signalwire.getNumber(target.vendorId));
    }
    if (!vapi) throw new Error('Vapi is not set up');
    const number = await vapi.getPhoneNumber(target.vendorId);
    const names = new Map<string, string>();
    const everyone = (found: Promise<{ items: VapiNamed[] }>) => found.then((paged) => paged.items).catch(() => []);
    const known = await Promise.all([everyone(vapi.findAssistants('')), everyone(vapi.findSquads(''))]);
    for (const item of known.flat()) if (item.name) names.set(item.id, item.name);
    return vapiSettingsOf(number, names);
  }

  /** Stores the change for the person waiting; the dedupe key is the confirmation and what it sends. */
  accept(payload: ChangePayload, confirmation: string): Promise<Accepted<Changed>> {
    return this.services.queue.accept<Changed>(changeJob, payload, this.dedupeKey(payload, confirmation));
  }

  /** The change as a job stored with an approval; its dedupe key comes from the request. */
  draft(payload: ChangePayload, intent: string): NewJob {
    return this.services.queue.draft(changeJob, payload, this.dedupeKey(payload, intent));
  }

  private dedupeKey({ target, change }: ChangePayload, intent: string): string {
    return `${changeJob}:${target.backend}:${submissionIntent(intent, change.body)}`;
  }

  /** Whether the person may change this number: their workspace's own, or any for operators. */
  async owned(actor: Actor, target: ChangeTarget): Promise<boolean> {
    const owned = await this.services.store.numbers.find(target.backend, target.vendorId);
    return this.services.permissions.isOperator(actor.userId) || owned?.workspaceKey === actor.tenant.key;
  }

  private async run(payload: ChangePayload, context: JobRunContext): Promise<Changed> {
    const { target, change } = payload;
    const owned = await this.services.store.numbers.find(target.backend, target.vendorId);
    const operator = this.services.permissions.isOperator(payload.approvedBy ?? payload.requestedBy);
    if (owned?.workspaceKey !== payload.workspaceKey && !operator) {
      throw new TerminalJobError('This number is not this workspace’s (any more): Switchboard left it alone.');
    }
    const { vapi, signalwire } = this.services.backends;
    const options = { retry: context.retry, deadlineMs: context.deadlineMs };
    try {
      if (change.backend === 'vapi') {
        if (!vapi) throw new TerminalJobError('Vapi is not set up: set VAPI_API_KEY');
        await vapi.updatePhoneNumber(target.vendorId, change.body, options);
      } else {
        if (!signalwire) throw new TerminalJobError('SignalWire is not set up: set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL');
        await signalwire.updateHandlers(target.vendorId, change.body, options);
      }
    } catch (error) {
      throw asTelephonyJobError(error);
    }
    return { target, lines: payload.lines };
  }

  private async afterChange({ payload, outcome, deliveredInline, audit, tell }: JobFinish<Changed, ChangePayload>): Promise<void> {
    const { target, lines } = payload;
    await audit({
      action: changeJob,
      ...finishAudit(payload, outcome),
      target: target.label.startsWith('+') ? maskPhoneNumber(target.label) : target.label,
      backend: target.backend,
      backendId: target.vendorId,
      detail: { changed: lines.map((line) => line.label), ...(payload.approvedBy ? { approvedBy: payload.approvedBy } : {}) },
    });
    if (!deliveredInline || payload.approvedBy) await tell(payload.workspaceKey, payload.requestedBy, this.notes.changed(target, lines, outcome));
    await this.services.events.emit('homeChanged', { userId: payload.requestedBy, tenant: tenantOfKey(payload.workspaceKey) });
  }
}
