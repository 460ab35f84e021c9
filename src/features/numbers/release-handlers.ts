import type { JobQueue } from '../../jobs/queue.js';
import type { Logger } from '../../logging/logger.js';
import type { BotClients } from '../../slack/bot-clients.js';
import { refusedView } from '../../slack/commands/messages.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { showInForm } from '../../slack/replies.js';
import { numberRecordId } from '../../tenancy/ownership.js';
import type { NumberRelease } from './release.js';
import {
  readReleaseButton,
  releaseButtonPattern,
  releaseConfirmModal,
  releasedMessage,
  releaseResultView,
  releaseView,
  releasingView,
} from './release-messages.js';

/** What the release buttons and confirmation use. */
export interface ReleaseHandlerDeps {
  queue: Pick<JobQueue, 'storedThenTold'>;
  bots: Pick<BotClients, 'sendDirectMessage'>;
  logger: Pick<Logger, 'warn'>;
}

/**
 * **Release** on `/phone numbers` and the App Home: a confirmation that names the number and the
 * endpoints going with it, then the release while the person waits. Who may release, and whether
 * the number is theirs, is checked on the click and again on the confirmation.
 */
export class ReleaseHandlers {
  constructor(
    private readonly services: ReleaseHandlerDeps,
    private readonly release: Pick<NumberRelease, 'target' | 'acceptRelease'>,
  ) {}

  register(app: SlackListeners): void {
    const read = (text: string) => {
      const shown = readReleaseButton(text);
      return shown && numberRecordId(shown.backend, shown.vendorId);
    };
    app.action(releaseButtonPattern, { may: 'numbers.release', owns: { record: 'number', in: 'value', read }, opensForm: true }, (args: ButtonArgs) =>
      this.clickRelease(args),
    );
    app.view(releaseView.confirm, { may: 'numbers.release', owns: { record: 'number', in: 'metadata', read } }, (args: ViewSubmissionArgs) =>
      this.confirmRelease(args),
    );
  }

  private async clickRelease({ action, body, client, actor }: ButtonArgs): Promise<void> {
    const shown = readReleaseButton(action.value);
    if (!shown) return;
    const target = await this.release.target(actor, shown.backend, shown.vendorId, shown.label);
    await client.views.open({ trigger_id: body.trigger_id, view: 'refusal' in target ? refusedView(target.refusal) : releaseConfirmModal(target) });
  }

  private async confirmRelease({ ack, view, client, actor }: ViewSubmissionArgs): Promise<void> {
    const shown = readReleaseButton(view.private_metadata);
    const target = shown
      ? await this.release.target(actor, shown.backend, shown.vendorId, shown.label)
      : { refusal: 'This confirmation is not one Switchboard made.' };
    if ('refusal' in target) return ack({ response_action: 'update', view: refusedView(target.refusal) });
    const accepted = await this.services.queue.storedThenTold(
      () => this.release.acceptRelease({ workspaceKey: actor.tenant.key, requestedBy: actor.userId, target }, view.id),
      {
        stored: () => ack({ response_action: 'update', view: releasingView(target) }),
        notStored: (text) => ack({ response_action: 'update', view: refusedView(text) }),
      },
    );
    if (!accepted) return;
    const outcome = await accepted.run();
    const where = { viewId: view.id, workspaceKey: actor.tenant.key, userId: actor.userId };
    const message = outcome.status === 'queued' ? undefined : releasedMessage(target, outcome);
    await showInForm(this.services, client, where, releaseResultView(target, outcome), message);
  }
}
