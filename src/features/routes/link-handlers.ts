import type { NovuClient } from '../../backends/novu/client.js';
import type { Accepted, Telling } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { EphemeralMessage } from '../../slack/blocks.js';
import { notSavedMessage } from '../../slack/commands/messages.js';
import type { CommandRequest, CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { splitMentions } from '../../slack/mentions.js';
import { notStoredBesideClick } from '../../slack/replies.js';
import { inputState, type StateValues, textOf } from '../../slack/view-state.js';
import { withSuffixes } from '../delivery/actions.js';
import type { RouteDeps } from '../deps.js';
import type { WrittenEndpoint } from '../endpoint-writer.js';
import { type FormAt, openFromButton, readSubscriberId, routeFromForm, showStep, toShownForm } from './form-steps.js';
import type { LinkEveryone } from './link-everyone.js';
import {
  askedView,
  checkingLinkView,
  emailMismatchView,
  linkActions,
  linkDecisionDirectMessage,
  linkedView,
  linkingView,
  linkSelfModal,
  linkSelfView,
  linkUserModal,
  linkView,
} from './link-messages.js';
import { notConnectedMessage, routeActions } from './messages.js';
import type { RouteJobs } from './route-jobs.js';
import { sameEmail, tenantMember } from './slack-checks.js';

/**
 * People linked to subscribers (`slack_user` routes): an admin links anyone of the workspace; a
 * member links themselves to the subscriber with their own email, or asks an admin, who approves
 * on the App Home; and "link everyone by email" for the whole workspace.
 */
export class LinkHandlers {
  constructor(
    private readonly services: RouteDeps,
    private readonly novu: NovuClient,
    private readonly routes: RouteJobs,
    private readonly everyone: LinkEveryone,
  ) {}

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('connect', 'link', (request) => this.openLinkForm(request));
    router.on('connect', 'link-all', ({ actor, respond }) => this.startEveryone(actor, respond));
    const write = { may: 'routes.write' } as const;
    const linkSelf = { may: 'routes.link-self' } as const;
    app.view(linkView.callbackId, { ...write, field: linkView.subscriber.block }, (args: ViewSubmissionArgs) => this.submitLink(args));
    app.view(linkSelfView.callbackId, { ...linkSelf, field: linkSelfView.subscriber.block }, (args: ViewSubmissionArgs) => this.submitSelfLink(args));
    app.action(routeActions.openLink, { ...write, opensForm: true }, (args: ButtonArgs) =>
      openFromButton(this.services, this.routes, args, () => linkUserModal({})),
    );
    app.action(routeActions.openLinkSelf, { ...linkSelf, opensForm: true }, (args: ButtonArgs) =>
      openFromButton(this.services, this.routes, args, async (actor) => linkSelfModal((await tenantMember(args.client, actor.tenant, actor.userId))?.email)),
    );
    app.action(routeActions.openLinkAll, write, ({ actor }: ButtonArgs) =>
      this.startEveryone(actor, (message) => this.services.bots.sendDirectMessage(actor.tenant.key, actor.userId, message)),
    );
    app.action(linkActions.ask, linkSelf, (args: ButtonArgs) => this.askAdmin(args));
    const decide = { ...write, owns: { record: 'linkRequest', in: 'value' } } as const;
    app.action(withSuffixes(linkActions.approve), decide, (args: ButtonArgs) => this.decide(args, 'approved'));
    app.action(withSuffixes(linkActions.deny), decide, (args: ButtonArgs) => this.decide(args, 'denied'));
    // The admin confirmed the dry run (one job per matched member; clicking twice starts it once), or cancels it.
    const run = { ...write, owns: { record: 'linkRun', in: 'value' } } as const;
    const { runs } = this.everyone;
    app.action(linkActions.apply, run, async (args: ButtonArgs) => {
      await runs.confirm(args.actor, args.action.value ?? '', notStoredBesideClick(this.services.bots, args));
    });
    app.action(linkActions.cancel, run, async ({ action, actor }: ButtonArgs) => void (await runs.cancel(actor, action.value ?? '')));
  }

  /** "Link everyone": the run and its dry run stored, then the person told (in the command's reply, or by direct message from the Home tab). */
  private async startEveryone(actor: Actor, tell: (message: EphemeralMessage) => Promise<unknown>): Promise<void> {
    await this.services.queue.storedThenTold(() => this.everyone.start(actor), { stored: tell, notStored: (text) => tell(notSavedMessage(text)) });
  }

  private async openLinkForm({ args, actor, openModal, respond }: CommandRequest): Promise<void> {
    if (!(await this.routes.usableConnection(actor.tenant.key))) return void (await respond(notConnectedMessage()));
    const { userId, rest } = splitMentions(args);
    await openModal(linkUserModal({ userId, subscriberId: rest[0] }));
  }

  private async submitLink({ ack, view, client, actor }: ViewSubmissionArgs): Promise<void> {
    const values = view.state.values as StateValues;
    const subscriber = readSubscriberId(values, linkView.subscriber.action);
    const userId = textOf(inputState<{ selected_user?: unknown }>(values, linkView.user.action)?.selected_user);
    const errors: Record<string, string> = {};
    if ('error' in subscriber) errors[linkView.subscriber.block] = subscriber.error;
    if (!userId) errors[linkView.user.block] = 'Choose the person.';
    if (!userId || 'error' in subscriber) return ack({ response_action: 'errors', errors });
    await this.link({ actor, client, viewId: view.id }, userId, subscriber.subscriberId, `link:${view.id}:${userId}:${subscriber.subscriberId}`, {
      stored: () => ack({ response_action: 'update', view: linkingView() }),
      notStored: (text) => ack({ response_action: 'errors', errors: { [linkView.subscriber.block]: text } }),
    });
  }

  /**
   * A member links themselves: to a subscriber whose email in Novu is their Slack email, at once;
   * otherwise they may ask an admin. The person linked is always the one submitting.
   */
  private async submitSelfLink({ ack, view, client, actor }: ViewSubmissionArgs): Promise<void> {
    const subscriber = readSubscriberId(view.state.values as StateValues, linkSelfView.subscriber.action);
    if ('error' in subscriber) return ack({ response_action: 'errors', errors: { [linkSelfView.subscriber.block]: subscriber.error } });
    // Nothing is stored or promised yet: the form says it is checking.
    await ack({ response_action: 'update', view: checkingLinkView() });
    const { subscriberId } = subscriber;
    const [member, novuSubscriber, foreign] = await Promise.all([
      tenantMember(client, actor.tenant, actor.userId).catch(() => undefined),
      this.novu.findSubscriber(subscriberId).catch(() => undefined),
      this.routes.subscribers.refusal(actor.tenant, actor.userId, subscriberId),
    ]);
    // A subscriber Novu does not have, another workspace's, and one with another email get the same words.
    const reason = !member?.email
      ? `Slack does not show Switchboard your email, so ${subscriberId} cannot be checked against it.`
      : !novuSubscriber || foreign || !sameEmail(member.email, novuSubscriber.email)
        ? `${subscriberId} is not a Novu subscriber with your Slack email.`
        : undefined;
    if (reason) return showStep(this.services, client, view.id, emailMismatchView(subscriberId, `${reason} An admin can approve the link.`));
    const intent = `link-self:${view.id}:${subscriberId}`;
    await this.link({ actor, client, viewId: view.id }, actor.userId, subscriberId, intent, toShownForm(this.services, client, view.id, linkingView()));
  }

  /** Links the person while the one who asked waits in the form (told through `tell`). */
  private async link(form: FormAt, userId: string, subscriberId: string, intent: string, tell: Telling<Accepted<WrittenEndpoint>>): Promise<void> {
    const route = { type: 'slack_user', target: userId, subscriberId } as const;
    const written = await routeFromForm(this.services, this.routes, form, route, intent, tell, async (endpoint) =>
      linkedView(endpoint, userId, subscriberId, await this.services.permissions.allows(form.actor, 'delivery.test', form.client)),
    );
    if (written) await this.services.events.emit('homeChanged', form.actor, form.client);
  }

  private async askAdmin({ action, body, client, actor }: ButtonArgs): Promise<void> {
    const subscriberId = action.value?.trim();
    if (!body.view || !subscriberId || subscriberId.length > 200) return;
    const request = await this.services.store.linkRequests.ask({ workspaceKey: actor.tenant.key, userId: actor.userId, subscriberId });
    await this.services.audit.record({
      action: 'route.link-request',
      outcome: 'queued',
      workspaceKey: actor.tenant.key,
      userId: actor.userId,
      target: subscriberId,
      detail: { request: request.id },
    });
    await showStep(this.services, client, body.view.id, askedView(subscriberId));
  }

  /** An admin approves (the link is written for the person who asked, the decision and its job stored before anything is said) or denies a request. */
  private async decide(args: ButtonArgs, status: 'approved' | 'denied'): Promise<void> {
    const { action, client, actor } = args;
    const decided = await this.services.queue.storedThenTold(
      async () => {
        const request = await this.services.store.linkRequests.decide(action.value ?? '', status, actor.userId);
        if (status === 'denied' || !request) return { request };
        const { workspaceKey, userId, subscriberId } = request;
        const payload = { workspaceKey, requestedBy: actor.userId, type: 'slack_user', target: userId, subscriberId, linkRequestId: request.id } as const;
        return { request, accepted: await this.routes.acceptCreate(payload, `link-request:${request.id}`) };
      },
      { notStored: notStoredBesideClick(this.services.bots, args) },
    );
    // The member who asked hears an approval's outcome from the route job's follow-up.
    if (decided?.accepted) await decided.accepted.run();
    else if (decided?.request)
      await this.services.bots.sendDirectMessage(
        decided.request.workspaceKey,
        decided.request.userId,
        linkDecisionDirectMessage(decided.request, { linked: false }),
      );
    await this.services.events.emit('homeChanged', actor, client);
  }
}
