import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { showInForm } from '../../slack/replies.js';
import { inputState, submissionIntent } from '../../slack/view-state.js';
import { numberRecordId } from '../../tenancy/ownership.js';
import type { ReportDeps } from '../deps.js';
import { channelStanding, joinChannel } from '../routes/slack-checks.js';
import { readReportButton, reportButtonPattern, reportModal, reportSavedView, reportSetMessage, reportView } from './messages.js';
import type { ReportJobs } from './report-jobs.js';

/** Why a channel cannot take reports, under the picker; undefined when the bot can post there (joining a public one first). */
export async function reportChannelProblem(client: ViewSubmissionArgs['client'], channelId: string): Promise<string | undefined> {
  const standing = await channelStanding(client, channelId);
  switch (standing.kind) {
    case 'member':
      return undefined;
    case 'public':
      return (await joinChannel(client, channelId)) ? 'Switchboard could not join this channel: invite it with /invite, then save again.' : undefined;
    case 'archived':
      return 'This channel is archived: choose another.';
    case 'direct':
      return 'Choose a channel: calls and texts are not posted in direct messages.';
    case 'invite':
      return 'Switchboard cannot see this channel: invite it with /invite (a private channel), or choose a channel of this workspace.';
  }
}

/**
 * "Report calls and texts…" on a number's row: the channel picker, checked with the workspace's
 * own token (another workspace's channel does not exist for it), then the vendor write through
 * the queue while the person waits.
 */
export class ReportHandlers {
  constructor(
    private readonly services: ReportDeps,
    private readonly jobs: ReportJobs,
  ) {}

  register(app: SlackListeners): void {
    const read = (text: string) => {
      const shown = readReportButton(text);
      return shown && numberRecordId(shown.backend, shown.vendorId);
    };
    app.action(reportButtonPattern, { may: 'numbers.provision', owns: { record: 'number', in: 'value', read }, opensForm: true }, (args: ButtonArgs) =>
      this.open(args),
    );
    app.view(reportView.callbackId, { may: 'numbers.provision', owns: { record: 'number', in: 'metadata', read }, field: reportView.channel }, (args) =>
      this.save(args),
    );
  }

  private async open({ action, body, client }: ButtonArgs): Promise<void> {
    const shown = readReportButton(action.value);
    if (!shown) return;
    const current = await this.services.store.numberReports.find(shown.backend, shown.vendorId);
    await client.views.open({ trigger_id: body.trigger_id, view: reportModal(shown, current?.channelId) });
  }

  private async save({ ack, view, client, actor }: ViewSubmissionArgs): Promise<void> {
    const target = readReportButton(view.private_metadata);
    const channelId = inputState<{ selected_conversation?: string | null }>(view.state.values, reportView.channel)?.selected_conversation;
    if (!target || !channelId) return ack({ response_action: 'errors', errors: { [reportView.channel]: 'Choose a channel.' } });
    // An operator may open any workspace's number, but its channel is chosen from the workspace that owns it.
    const owner = await this.services.store.numbers.find(target.backend, target.vendorId);
    if (owner?.workspaceKey !== actor.tenant.key) {
      return ack({
        response_action: 'errors',
        errors: { [reportView.channel]: 'Choose this number’s channel from the workspace that owns it: Switchboard posts there with that workspace’s bot.' },
      });
    }
    const problem = await reportChannelProblem(client, channelId);
    if (problem) return ack({ response_action: 'errors', errors: { [reportView.channel]: problem } });
    const payload = {
      workspaceKey: actor.tenant.key,
      requestedBy: actor.userId,
      backend: target.backend,
      vendorId: target.vendorId,
      channelId,
      label: target.label,
    };
    const accepted = await this.services.queue.storedThenTold(() => this.jobs.acceptSet(payload, submissionIntent(view.id, { channelId })), {
      stored: () => ack({ response_action: 'update', view: reportSavedView(target.label, undefined, channelId) }),
      notStored: (text) => ack({ response_action: 'errors', errors: { [reportView.channel]: text } }),
    });
    if (!accepted) return;
    const outcome = await accepted.run();
    const finished = outcome.status === 'queued' ? undefined : outcome.status === 'done' ? { status: 'done' as const, result: outcome.result } : outcome;
    const where = { viewId: view.id, workspaceKey: actor.tenant.key, userId: actor.userId };
    await showInForm(this.services, client, where, reportSavedView(target.label, finished, channelId), finished && reportSetMessage(payload, finished));
  }
}
