import type { Accepted, JobDefinition, JobFinish, Requester } from '../../jobs/queue.js';
import { finishAudit } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { NumberBackend, OwnedNumber } from '../../store/types.js';
import type { ReportDeps } from '../deps.js';
import { asTelephonyJobError, describeTelephonyFailure } from '../numbers/telephony.js';
import { eventKey, type ReportEvent } from './events.js';
import { type ReportTarget, ReportTargets } from './targets.js';

export interface SetReportPayload extends Requester {
  backend: NumberBackend;
  vendorId: string;
  channelId: string;
  /** The number as people know it, for the audit line and the message. */
  label: string;
}

export interface PostReportPayload {
  workspaceKey: string;
  backend: NumberBackend;
  vendorId: string;
  event: ReportEvent;
}

/** Whether a report reached its channel; `refused`: Slack's reason, the event kept for the App Home. */
export type Posted = { posted: true; channelId: string } | { posted: false; refused?: string; channelId?: string };

/** The messages the jobs send, rendered by the feature's views. */
export interface ReportNotes {
  report(event: ReportEvent, number: OwnedNumber | undefined, vendorId: string): SlackMessage;
  cannotPost(channelId: string, reason: string, label: string): SlackMessage;
  reportSet(payload: SetReportPayload, outcome: JobFinish<{ channelId: string }>['outcome']): SlackMessage;
}

const kinds = { set: 'numbers.report.set', post: 'numbers.report.post' } as const;

/** Slack's answers that mean "not here, not now or later": the event is kept and the owner told. */
const refusals = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'restricted_action_read_only_channel']);

export class ReportJobs {
  readonly targets: ReportTargets;

  constructor(
    private readonly services: ReportDeps,
    private readonly notes: ReportNotes,
  ) {
    this.targets = new ReportTargets(services);
  }

  get definitions(): JobDefinition[] {
    return [
      {
        kind: kinds.set,
        describe: "set a number's report channel",
        run: (payload) => this.set(payload),
        onFinished: (finish) => this.afterSet(finish),
        describeError: describeTelephonyFailure,
      } satisfies JobDefinition<SetReportPayload, { channelId: string }>,
      {
        kind: kinds.post,
        describe: 'post a call or text into its channel',
        run: (payload) => this.post(payload),
      } satisfies JobDefinition<PostReportPayload, Posted>,
    ];
  }

  acceptSet(payload: SetReportPayload, intent: string): Promise<Accepted<{ channelId: string }>> {
    return this.services.queue.accept(kinds.set, payload, `${kinds.set}:${intent}`);
  }

  /** Stores a vendor's event once (its call id or MessageSid is the key); a redelivery finds the first. */
  async store(report: { workspaceKey: string; backend: NumberBackend; vendorId: string }, event: ReportEvent): Promise<void> {
    const payload: PostReportPayload = { ...report, event };
    await this.services.queue.enqueue(kinds.post, payload, {
      dedupeKey: `${kinds.post}:${eventKey(report.backend, event)}`,
      workspaceKey: report.workspaceKey,
    });
  }

  private async set(payload: SetReportPayload): Promise<{ channelId: string }> {
    const target: ReportTarget = { ...payload, setBy: payload.requestedBy };
    try {
      await this.targets.attach(target);
    } catch (error) {
      throw asTelephonyJobError(error);
    }
    return { channelId: payload.channelId };
  }

  private async afterSet({ payload, outcome, audit, tell, deliveredInline }: JobFinish<{ channelId: string }, SetReportPayload>): Promise<void> {
    await audit({
      action: 'number.report',
      ...finishAudit(payload, outcome),
      target: payload.label,
      backend: payload.backend,
      backendId: payload.vendorId,
      detail: { channel: payload.channelId },
    });
    if (!deliveredInline) await tell(payload.workspaceKey, payload.requestedBy, this.notes.reportSet(payload, outcome));
  }

  /**
   * Posts with the owning workspace's bot into the channel stored for the number, nowhere else. A
   * channel the bot cannot post in keeps the event for the App Home, and its setter is told once.
   */
  private async post(payload: PostReportPayload): Promise<Posted> {
    const { store, bots } = this.services;
    const report = await store.numberReports.find(payload.backend, payload.vendorId);
    if (!report || report.workspaceKey !== payload.workspaceKey) return { posted: false };
    const number = await store.numbers.find(payload.backend, payload.vendorId);
    const client = await bots.forWorkspace(report.workspaceKey);
    if (!client) return { posted: false };
    const message = this.notes.report(payload.event, number, payload.vendorId);
    try {
      await client.chat.postMessage({ channel: report.channelId, text: message.text, blocks: message.blocks as never, unfurl_links: false });
      return { posted: true, channelId: report.channelId };
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (!code || !refusals.has(code)) throw error;
      await store.numberReports.keepUnposted({
        eventKey: eventKey(payload.backend, payload.event),
        workspaceKey: report.workspaceKey,
        backend: payload.backend,
        vendorId: payload.vendorId,
        channelId: report.channelId,
        reason: code,
        event: payload.event,
      });
      if (await store.numberReports.markWarned(payload.backend, payload.vendorId)) {
        const label = number?.name ?? number?.number ?? number?.sipUri ?? payload.vendorId;
        await bots.sendDirectMessage(report.workspaceKey, report.setBy, this.notes.cannotPost(report.channelId, code, label));
      }
      return { posted: false, refused: code, channelId: report.channelId };
    }
  }
}
