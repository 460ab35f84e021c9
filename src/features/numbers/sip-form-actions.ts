import type { Logger } from '../../logging/logger.js';
import type { BlockActionArgs, SlackListeners } from '../../slack/listener-table.js';
import { asRequestForm, isRequestForm } from './request-messages.js';
import { sipView } from './sip-fields.js';
import { type DrawnSipForm, generateSipCredentials, readCredentialsVersion, redrawnPrefill, type SipPrefill, sipModal } from './sip-form.js';

export interface SipFormActionDeps {
  logger: Pick<Logger, 'warn'>;
  /** The Vapi SIP host of the configured region. */
  sipHost: () => string;
}

/** What an action changes in the form, given the form as it stands. */
type Change = (view: DrawnSipForm) => Partial<SipPrefill>;

const nothing: Change = () => ({});

/**
 * The Vapi number form's own actions: the kind, sign-in and who answers (each an input that
 * dispatches its change), "More options" and "Generate a strong pair". Each draws the form again
 * for what is now chosen, keeping what was typed; a request form stays one.
 */
export class SipFormActions {
  constructor(private readonly deps: SipFormActionDeps) {}

  /** Whoever may open the form may change it. */
  register(app: SlackListeners): void {
    const ask = { may: 'numbers.request' } as const;
    app.action(sipView.kind, ask, (args: BlockActionArgs) => this.redraw(args, nothing));
    app.action(sipView.login, ask, (args: BlockActionArgs) => this.redraw(args, nothing));
    app.action(sipView.answeredBy, ask, (args: BlockActionArgs) => this.redraw(args, nothing));
    app.action(sipView.more, ask, (args: BlockActionArgs) => this.redraw(args, () => ({ more: true })));
    app.action(sipView.generate, ask, (args: BlockActionArgs) => this.redraw(args, withGeneratedCredentials));
  }

  /**
   * Inputs the new form shares with the old keep their block and action ids, so Slack keeps what is
   * in them; the hash makes Slack refuse the update if the form changed since this action was sent.
   */
  private async redraw({ body, client }: BlockActionArgs, change: Change): Promise<void> {
    const view = body.view;
    if (!view || view.callback_id !== sipView.callbackId) return;
    const form = sipModal({ ...redrawnPrefill(view), ...change(view) }, this.deps.sipHost());
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: isRequestForm(view) ? asRequestForm(form, 'vapi') : form });
    } catch (error) {
      // A later action redrew it first (hash_conflict), or it was closed: the form as it is stands.
      this.deps.logger.warn({ err: error }, 'could not redraw the Vapi number form');
    }
  }
}

/** "Generate a strong pair": the credentials filled in under new block ids, or Slack would keep what the inputs held. */
function withGeneratedCredentials(view: DrawnSipForm): Partial<SipPrefill> {
  return { ...generateSipCredentials(), login: true, credentialsVersion: (readCredentialsVersion(view.blocks) ?? 0) + 1 };
}
