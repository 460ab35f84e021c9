import type { Actor } from '../../slack/actor.js';
import { refusedView } from '../../slack/commands/messages.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { showInForm } from '../../slack/replies.js';
import { numberRecordId } from '../../tenancy/ownership.js';
import type { NumberDeps } from '../deps.js';
import type { NumberChange } from './change.js';
import { changeOf } from './change-diff.js';
import { type ChangeTarget, changeModal, changeView, readChangeConfirm, readChangeForm, readChangeSubmission, readChangeTarget } from './change-form.js';
import {
  changeButtonPattern,
  changeConfirmModal,
  changedMessage,
  changeResultView,
  changeUnavailableView,
  changingView,
  nothingChanged,
} from './change-messages.js';
import type { NumberSettings } from './change-model.js';
import { describeTelephonyFailure } from './telephony.js';

/** How a change is asked for, by someone who may ask but not change (see `NumberRequests.askForChange`). */
export type AskForChange = (
  args: Pick<ViewSubmissionArgs, 'ack' | 'view'> & { actor: Actor },
  change: { target: ChangeTarget; before: NumberSettings; after: NumberSettings },
) => Promise<void>;

/**
 * **Change** on `/phone numbers` and the App Home: a form filled in from the vendor's number, then a
 * confirmation that shows before → after, then one vendor request (or, for someone who may only
 * ask, a request operators approve). The number must be the caller's workspace's (guarded on the
 * click, the form and the confirmation); the permission is provisioning's.
 */
export class ChangeHandlers {
  constructor(
    private readonly services: NumberDeps,
    private readonly change: NumberChange,
    private readonly ask: AskForChange,
  ) {}

  register(app: SlackListeners): void {
    const read = (from: (text: string) => ChangeTarget | undefined) => (text: string) => {
      const target = from(text);
      return target && numberRecordId(target.backend, target.vendorId);
    };
    const may = 'numbers.request';
    app.action(changeButtonPattern, { may, owns: { record: 'number', in: 'value', read: read(readChangeTarget) }, opensForm: true }, (args: ButtonArgs) =>
      this.open(args),
    );
    app.view(changeView.form, { may, owns: { record: 'number', in: 'metadata', read: read(readChangeForm) } }, (args: ViewSubmissionArgs) => this.review(args));
    app.view(changeView.confirm, { may, owns: { record: 'number', in: 'metadata', read: read(readChangeConfirm) } }, (args: ViewSubmissionArgs) =>
      this.confirm(args),
    );
  }

  private asking(args: { actor: Actor; client: ButtonArgs['client'] }): Promise<boolean> {
    return this.services.permissions.allows(args.actor, 'numbers.provision', args.client).then((may) => !may);
  }

  /** Opens a modal at once (the click's trigger lasts seconds), then fills it in from the vendor's number. */
  private async open({ action, body, client, actor }: ButtonArgs): Promise<void> {
    const target = readChangeTarget(action.value);
    if (!target) return;
    const opened = await client.views.open({ trigger_id: body.trigger_id, view: changingView(target, []) });
    const viewId = opened.view?.id;
    const [before, asking] = await Promise.all([
      this.change.current(target).catch((error: unknown) => ({ error: describeTelephonyFailure(error) })),
      this.asking({ actor, client }),
    ]);
    const view = 'error' in before ? changeUnavailableView(target, before.error) : changeModal(target, before, asking);
    if (viewId) await client.views.update({ view_id: viewId, view });
  }

  private async review({ ack, view, client, actor }: ViewSubmissionArgs): Promise<void> {
    const form = readChangeForm(view.private_metadata);
    if (!form) return ack();
    const { before, ...target } = form;
    const after = readChangeSubmission(view.state.values, target.backend, this.services.config.defaultPhoneRegion);
    if ('errors' in after) return ack({ response_action: 'errors', errors: after.errors });
    const { lines } = changeOf(before, after);
    if (lines.length === 0) {
      return ack({ response_action: 'errors', errors: { [firstField(target.backend)]: nothingChanged } });
    }
    const asking = await this.asking({ actor, client });
    const confirm = changeConfirmModal(target, { before, after }, lines, asking);
    // Slack keeps at most 3,000 characters of a view's metadata, where the confirmation carries both settings.
    if ((confirm.private_metadata ?? '').length > 3_000) {
      return ack({ response_action: 'errors', errors: { [firstField(target.backend)]: 'Too much to confirm at once: shorten the URLs or messages.' } });
    }
    await ack({ response_action: 'update', view: confirm });
  }

  private async confirm(args: ViewSubmissionArgs): Promise<void> {
    const { ack, view, client, actor } = args;
    const confirmed = readChangeConfirm(view.private_metadata);
    if (!confirmed) return ack();
    const { before, after, ...target } = confirmed;
    if (await this.asking({ actor, client })) return this.ask({ ack, view, actor }, { target, before, after });
    const { change, lines } = changeOf(before, after);
    const payload = { workspaceKey: actor.tenant.key, requestedBy: actor.userId, target, change, lines };
    const accepted = await this.services.queue.storedThenTold(() => this.change.accept(payload, view.id), {
      stored: () => ack({ response_action: 'update', view: changingView(target, lines) }),
      notStored: (text) => ack({ response_action: 'update', view: refusedView(text) }),
    });
    if (!accepted) return;
    const outcome = await accepted.run();
    const where = { viewId: view.id, workspaceKey: actor.tenant.key, userId: actor.userId };
    const message = outcome.status === 'queued' ? undefined : changedMessage(target, lines, outcome);
    await showInForm(this.services, client, where, changeResultView(target, lines, outcome), message);
  }
}

/** The form's first input, where a problem with the whole form is shown. */
function firstField(backend: ChangeTarget['backend']): string {
  return backend === 'vapi' ? changeView.answeredBy : changeView.callHandler;
}
