import type { JobDefinition, JobOutcome } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { showInForm, toldInForm } from '../../slack/replies.js';
import { commandOrigin, sharedOrigin, withShareNote } from '../../slack/share.js';
import { blockOf, submissionIntent } from '../../slack/view-state.js';
import type { NumberBackend } from '../../store/types.js';
import type { NumberDeps } from '../deps.js';
import { reportChannelProblem } from '../reports/handlers.js';
import { NumberChange } from './change.js';
import { ChangeHandlers } from './change-handlers.js';
import { changedMessage } from './change-messages.js';
import { importModal, importView, readImportForm } from './import-form.js';
import {
  activationMessage,
  activationView,
  numberFormActions,
  provisionedMessage,
  provisionedSharedMessage,
  provisionedView,
  provisionFailedView,
  provisioningView,
  provisionQueuedView,
} from './messages.js';
import { ProvisionJobs, type VapiPayload } from './provision-jobs.js';
import { RequestJobs } from './request-jobs.js';
import { sipSubmissionIntent } from './request-payload.js';
import { formFor, submissionMode } from './request-rules.js';
import { NumberRequests } from './requests.js';
import { sipView } from './sip-fields.js';
import { sipModal } from './sip-form.js';
import { SipFormActions } from './sip-form-actions.js';
import { readSipForm } from './sip-read.js';
import type { Provisioned } from './telephony.js';

/** `/phone sip`, `/phone import` and `/phone numbers`: numbers on Vapi and SignalWire. */
export class NumberHandlers {
  readonly jobs: ProvisionJobs;
  readonly change: NumberChange;
  private readonly requestJobs: RequestJobs;
  private readonly requests: NumberRequests;

  constructor(private readonly services: NumberDeps) {
    this.jobs = new ProvisionJobs(services, {
      provisioned: provisionedMessage,
      activated: activationMessage,
      activatedView: activationView,
    });
    this.requestJobs = new RequestJobs(services);
    this.change = new NumberChange(services, { changed: changedMessage });
    this.requests = new NumberRequests(services, this.jobs, this.requestJobs, this.change);
  }

  /** Provisioning's jobs and the requests'. */
  get definitions(): JobDefinition[] {
    return [...this.jobs.definitions, ...this.requestJobs.definitions, ...this.change.definitions];
  }

  private get region(): string {
    return this.services.config.defaultPhoneRegion;
  }

  private get sipHost(): string {
    return this.services.backends.vapi?.sipHost ?? 'sip.vapi.ai';
  }

  register(app: SlackListeners, router: CommandRouter): void {
    this.requests.register(app);
    new ChangeHandlers(this.services, this.change, (args, { target, before, after }) =>
      this.requests.askForChange(args, { ...target, before, after }),
    ).register(app);
    new SipFormActions({ logger: this.services.logger, sipHost: () => this.sipHost }).register(app);
    const { permissions } = this.services;
    router.on('phone', 'sip', async ({ openModal, body, actor, client }) =>
      openModal(await formFor(permissions, actor, client, sipModal({ origin: commandOrigin(body) }, this.sipHost), 'vapi')),
    );
    router.on('phone', 'import', async ({ openModal, body, argText, actor, client }) =>
      openModal(
        await formFor(permissions, actor, client, importModal({ number: argText || undefined, origin: commandOrigin(body) }, this.region), 'signalwire'),
      ),
    );

    // The forms open to whoever may ask for a number; who may provision is decided by the form's mode (see `submissionMode`).
    const ask = { may: 'numbers.request' } as const;
    app.view(sipView.callbackId, { ...ask, field: sipView.name }, (args: ViewSubmissionArgs) => this.submitSip(args));
    app.view(importView.callbackId, { ...ask, field: importView.number }, (args: ViewSubmissionArgs) => this.submitImport(args));
    const open = { ...ask, opensForm: true } as const;
    app.action(numberFormActions.vapi, open, (args: ButtonArgs) => this.openFromButton(args, 'vapi'));
    app.action(numberFormActions.signalwire, open, (args: ButtonArgs) => this.openFromButton(args, 'signalwire'));
  }

  private async submitSip(args: ViewSubmissionArgs): Promise<void> {
    const submission = await this.readSubmission(args, '/phone sip', sipView.name, (view) => readSipForm(view, this.sipHost, this.region));
    if (!submission) return;
    const { actor, asking, read } = submission;
    const { ack, view, client } = args;
    // The channel is checked with this workspace's bot whether the number is made now or asked for.
    const problem = read.reportChannel && (await reportChannelProblem(client, read.reportChannel));
    if (problem) return ack({ response_action: 'errors', errors: { [sipView.reportChannel]: problem } });
    if (asking) return this.requests.askForVapiNumber({ ack, view, actor, field: sipView.name }, read);
    const intent = sipSubmissionIntent(view.id, read.body);
    const accepted = await this.services.queue.storedThenTold(
      () =>
        this.jobs.acceptCreate({
          workspaceKey: actor.tenant.key,
          requestedBy: actor.userId,
          intent,
          body: this.jobs.sealPassword(read.body, intent),
          // A modal showing the SIP password once is left alone: redrawing it would take the password away.
          viewId: read.password ? undefined : view.id,
          ...(read.reportChannel ? { report: { channelId: read.reportChannel } } : {}),
        }),
      toldInForm(ack, provisioningView('vapi'), blockOf(view.state.values, sipView.name)),
    );
    if (!accepted) return;
    const outcome = await accepted.run();
    // The form sent again with another password finds the first job: the password shown is the one it sends.
    const password = read.password && (this.jobs.unsealPassword((outcome.job.payload as VapiPayload).body, intent) ?? read.password);
    await this.showOutcome(client, view, actor, 'vapi', outcome, { password, warning: read.warning });
  }

  private async submitImport(args: ViewSubmissionArgs): Promise<void> {
    const submission = await this.readSubmission(args, '/phone import', importView.number, (view) => readImportForm(view.state.values, this.region));
    if (!submission) return;
    const { actor, asking, read } = submission;
    const { ack, view, client } = args;
    const problem = read.reportChannel && (await reportChannelProblem(client, read.reportChannel));
    if (problem) return ack({ response_action: 'errors', errors: { [importView.reportChannel]: problem } });
    if (asking) return this.requests.askForImport({ ack, view, actor, field: importView.number }, read);
    const { reportChannel, ...imported } = read;
    const accepted = await this.services.queue.storedThenTold(
      () =>
        this.jobs.acceptImport(
          { workspaceKey: actor.tenant.key, requestedBy: actor.userId, ...imported, ...(reportChannel ? { report: { channelId: reportChannel } } : {}) },
          submissionIntent(view.id, read),
        ),
      toldInForm(ack, provisioningView('signalwire'), importView.number),
    );
    if (!accepted) return;
    const outcome = await accepted.run();
    await this.showOutcome(client, view, actor, 'signalwire', outcome, { spaceUrl: this.services.config.signalwire?.spaceUrl });
  }

  /**
   * Whether a submission asks or provisions, and the form as read; undefined once the form has been
   * answered with its problems. A form drawn to provision, sent while Slack had not yet said whether
   * the person may, is decided now: a refusal appears under `field`, as the modal's own error (and is audited).
   */
  private async readSubmission<T extends object>(
    { ack, view, client, actor }: ViewSubmissionArgs,
    command: string,
    field: string,
    readForm: (view: ViewSubmissionArgs['view']) => T | { errors: Record<string, string> },
  ): Promise<{ actor: Actor; asking: boolean; read: T } | undefined> {
    const asking = (await submissionMode(this.services.permissions, actor, client, view)) === 'request';
    const refusal = asking ? undefined : await this.services.permissions.formRefusal(actor, 'numbers.provision', client, command);
    const read = refusal ? { errors: { [field]: refusal } } : readForm(view);
    if (!('errors' in read)) return { actor, asking, read };
    await ack({ response_action: 'errors', errors: read.errors });
    return undefined;
  }

  private async showOutcome(
    client: ViewSubmissionArgs['client'],
    view: ViewSubmissionArgs['view'],
    actor: Actor,
    backend: NumberBackend,
    outcome: JobOutcome<Provisioned>,
    extras: { password?: string; warning?: string; spaceUrl?: string },
  ): Promise<void> {
    const shared =
      outcome.status === 'done'
        ? await this.services.sharing.share(client, sharedOrigin(view), provisionedSharedMessage(actor.userId, outcome.result))
        : undefined;
    const next =
      outcome.status === 'done'
        ? withShareNote(provisionedView(outcome.result, extras), shared)
        : outcome.status === 'failed'
          ? provisionFailedView(backend, outcome.error)
          : provisionQueuedView(backend, outcome.lastError);
    const where = { viewId: view.id, workspaceKey: actor.tenant.key, userId: actor.userId };
    await showInForm(this.services, client, where, next, outcome.status === 'queued' ? undefined : provisionedMessage(backend, outcome));
  }

  /** New Vapi number / Import on the App Home: the same forms as the commands, as requests for those who may only ask. */
  private async openFromButton({ body, client, actor }: ButtonArgs, backend: NumberBackend): Promise<void> {
    const form = backend === 'vapi' ? sipModal({}, this.sipHost) : importModal({}, this.region);
    await client.views.open({ trigger_id: body.trigger_id, view: await formFor(this.services.permissions, actor, client, form, backend) });
  }
}
