import { setTimeout as sleep } from 'node:timers/promises';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Accepted, Telling } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import { refusalMessage } from '../../slack/commands/messages.js';
import type { CommandRequest, CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { splitMentions } from '../../slack/mentions.js';
import { mentionChannel } from '../../slack/mrkdwn.js';
import { commandOrigin, sharedOrigin, withShareNote } from '../../slack/share.js';
import { inputState, type StateValues, textOf } from '../../slack/view-state.js';
import type { EndpointCursor } from '../../store/types.js';
import { parseJsonAs } from '../../util/json.js';
import type { RouteDeps } from '../deps.js';
import type { WrittenEndpoint } from '../endpoint-writer.js';
import { type FormAt, maxSubscriberIdLength, openFromButton, readSubscriberId, routeFromForm, showStep, toShownForm } from './form-steps.js';
import {
  channelRoutedView,
  channelRouteModal,
  channelSharedMessage,
  channelView,
  checkingChannelView,
  inviteView,
  joinConfirmView,
  joinView,
  notConnectedMessage,
  type PendingChannelRoute,
  routeActions,
  routeFailedView,
  routeRemovedMessage,
  routesListMessage,
  routesPageSize,
  routingView,
} from './messages.js';
import { type RemoveRoutePayload, type RouteJobs, routeTypes } from './route-jobs.js';
import { type ChannelStanding, channelStanding, describePostFailure, joinChannel } from './slack-checks.js';

/** A submission waits this long for Slack to describe the channel, so problems can go under the field. */
const channelCheckBudgetMs = 1_200;

const pendingSchema = z.object({
  subscriberId: z.string().min(1).max(maxSubscriberIdLength),
  channelId: z.string().regex(/^[CG][A-Z0-9]{2,}$/),
  origin: z.object({ channelId: z.string(), responseUrl: z.string().optional() }).optional(),
});

/** What a follow-up view carries in its private_metadata (set by Switchboard, handed back by Slack). */
const pendingOf = (privateMetadata: string | undefined): PendingChannelRoute | undefined => parseJsonAs(pendingSchema, privateMetadata || '{}');

/**
 * `/connect channel` and `/connect routes`: a subscriber's Slack notifications routed to a channel
 * the bot can post in (joined, when public, after asking; invited, when private), a test message
 * on request, and the list of routes with Remove.
 */
export class ChannelRouteHandlers {
  constructor(
    private readonly services: RouteDeps,
    private readonly routes: RouteJobs,
  ) {}

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('connect', 'channel', (request) => this.openForm(request));
    router.on('connect', 'routes', async ({ actor, client, respond }) => void (await respond(await this.page(actor, client, 1, undefined))));
    const write = { may: 'routes.write' } as const;
    app.view(channelView.callbackId, { ...write, field: channelView.subscriber.block }, (args: ViewSubmissionArgs) => this.submitForm(args));
    app.view(joinView.callbackId, write, (args: ViewSubmissionArgs) => this.submitJoin(args));
    app.action(routeActions.recheck, write, (args: ButtonArgs) => this.recheck(args));
    app.action(routeActions.more, { may: 'routes.read' }, (args: ButtonArgs) => this.more(args));
    app.action(/^routes\.remove(:\d+)?$/, { ...write, owns: { record: 'endpoint', in: 'value' } }, (args: ButtonArgs) => this.remove(args));
    app.action(routeActions.openChannel, { ...write, opensForm: true }, (args: ButtonArgs) =>
      openFromButton(this.services, this.routes, args, (_actor, connection) => channelRouteModal({}, connection)),
    );
  }

  private async openForm({ args, actor, body, openModal, respond }: CommandRequest): Promise<void> {
    const { channelId, rest } = splitMentions(args);
    const connection = await this.routes.usableConnection(actor.tenant.key);
    if (connection) await openModal(channelRouteModal({ channelId, subscriberId: rest[0], origin: commandOrigin(body) }, connection));
    else await respond(notConnectedMessage());
  }

  private async submitForm({ ack, view, client, context, actor }: ViewSubmissionArgs): Promise<void> {
    const values = view.state.values as StateValues;
    const subscriber = readSubscriberId(values, channelView.subscriber.action);
    const channelId = textOf(inputState<{ selected_conversation?: unknown }>(values, channelView.channel.action)?.selected_conversation);
    const errors: Record<string, string> = {};
    if ('error' in subscriber) errors[channelView.subscriber.block] = subscriber.error;
    if (!channelId) errors[channelView.channel.block] = 'Choose the channel.';
    if (!channelId || 'error' in subscriber) return ack({ response_action: 'errors', errors });
    const pending: PendingChannelRoute = { subscriberId: subscriber.subscriberId, channelId, origin: sharedOrigin(view) };

    // Slack usually describes the channel at once: then the acknowledgement answers, and a problem goes under the field.
    const checking = channelStanding(client, channelId);
    const quick = await Promise.race([checking, sleep(channelCheckBudgetMs, undefined, { ref: false })]).catch(() => undefined);
    // Otherwise nothing is stored or promised yet: the form says it is asking Slack.
    if (!quick) await ack({ response_action: 'update', view: checkingChannelView() });
    const standing = quick ?? (await checking.catch(() => undefined));
    const show = (next: View) => (quick ? ack({ response_action: 'update', view: next }) : showStep(this.services, client, view.id, next));
    if (!standing) return show(routeFailedView('Slack did not describe the channel in time. Try again in a moment.'));
    const problem = problemUnderField(standing);
    if (problem) return quick ? ack({ response_action: 'errors', errors: { [channelView.channel.block]: problem } }) : show(routeFailedView(problem));
    if (standing.kind !== 'member') return show(this.nextStep(standing, pending, context.botUserId));
    if (!quick) return this.route({ actor, client, viewId: view.id }, pending);
    await this.route({ actor, client, viewId: view.id }, pending, {
      stored: () => show(routingView()),
      // The form stays as typed, with the reason under the subscriber.
      notStored: (text) => ack({ response_action: 'errors', errors: { [channelView.subscriber.block]: text } }),
    });
  }

  private nextStep(standing: ChannelStanding, pending: PendingChannelRoute, botUserId: string | undefined): View {
    return standing.kind === 'public' ? joinConfirmView(pending, standing.name) : inviteView(pending, botUserId);
  }

  /** The person agreed that Switchboard joins the public channel. */
  private async submitJoin({ ack, view, client, actor }: ViewSubmissionArgs): Promise<void> {
    const pending = pendingOf(view.private_metadata);
    if (!pending) return ack({ response_action: 'update', view: routeFailedView('This form is out of date; run /connect channel again.') });
    // Joined first (Slack answers within the acknowledgement), then the route stored, then the person told.
    const joinError = await Promise.race([joinChannel(client, pending.channelId), sleep(channelCheckBudgetMs, 'slow', { ref: false })]);
    if (joinError === 'slow') return ack({ response_action: 'update', view: routeFailedView('Slack did not answer in time. Try again in a moment.') });
    if (joinError) {
      return ack({ response_action: 'update', view: routeFailedView(describePostFailure(joinError, mentionChannel(pending.channelId)), joinError) });
    }
    await this.route({ actor, client, viewId: view.id }, pending, {
      stored: () => ack({ response_action: 'update', view: routingView() }),
      notStored: (text) => ack({ response_action: 'update', view: routeFailedView(text) }),
    });
  }

  /** "Check again" after inviting the bot to a private channel. */
  private async recheck({ body, client, context, actor }: ButtonArgs): Promise<void> {
    const pending = pendingOf(body.view?.private_metadata);
    if (!body.view || !pending) return;
    const standing = await channelStanding(client, pending.channelId).catch(() => undefined);
    if (standing?.kind === 'member' || standing?.kind === 'public') return this.route({ actor, client, viewId: body.view.id }, pending);
    const problem = standing && problemUnderField(standing);
    const note = `Still not invited (checked ${new Date().toISOString().slice(11, 19)} UTC).`;
    await showStep(this.services, client, body.view.id, problem ? routeFailedView(problem) : inviteView(pending, context.botUserId, note));
  }

  /** Routes the channel while the person waits in the form (told through `tell`, by default in the form already shown). */
  private async route(form: FormAt, pending: PendingChannelRoute, tell?: Telling<Accepted<WrittenEndpoint>>): Promise<void> {
    const { actor, client, viewId } = form;
    const route = { type: 'slack_channel', target: pending.channelId, subscriberId: pending.subscriberId } as const;
    const intent = `channel:${viewId}:${pending.channelId}:${pending.subscriberId}`;
    tell ??= toShownForm(this.services, client, viewId, routingView());
    await routeFromForm(this.services, this.routes, form, route, intent, tell, async (written) => {
      const [shared, canTest] = await Promise.all([
        this.services.sharing.share(client, pending.origin, channelSharedMessage(actor.userId, pending)),
        this.services.permissions.allows(actor, 'delivery.test', client),
      ]);
      return withShareNote(channelRoutedView({ identifier: written.endpoint.identifier, existing: written.existing }, pending, canTest), shared);
    });
  }

  private async more({ action, client, actor, respond }: ButtonArgs): Promise<void> {
    const cursor = parseJsonAs(z.object({ page: z.number().int().min(2), createdAt: z.number(), identifier: z.string() }), action.value);
    if (!cursor) return;
    const { page, ...after } = cursor;
    await respond({ replace_original: true, ...(await this.page(actor, client, page, after)) });
  }

  private async page(actor: Actor, client: WebClient, page: number, after: EndpointCursor | undefined) {
    const rows = await this.services.store.endpoints.page({ workspaceKey: actor.tenant.key, types: [...routeTypes], after, limit: routesPageSize + 1 });
    const shown = rows.slice(0, routesPageSize);
    const last = shown.at(-1);
    const next = rows.length > routesPageSize && last ? { createdAt: last.createdAt, identifier: last.identifier } : undefined;
    const { permissions } = this.services;
    const [remove, test] = await Promise.all([permissions.allows(actor, 'routes.write', client), permissions.allows(actor, 'delivery.test', client)]);
    return routesListMessage(shown, page, next, { remove, test });
  }

  private async remove({ action, body, actor, respond }: ButtonArgs): Promise<void> {
    const identifier = action.value ?? '';
    // The guard found the route, the workspace's own: the result names what it delivered.
    const record = await this.services.store.endpoints.find(identifier);
    const route = record && record.type !== 'phone' ? { type: record.type, target: record.target, subscriberId: record.subscriberId } : undefined;
    const payload: RemoveRoutePayload = { workspaceKey: actor.tenant.key, requestedBy: actor.userId, identifier, ...(route ? { route } : {}) };
    const intent = `${body.container?.message_ts ?? action.action_ts}:${actor.userId}`;
    const accepted = await this.services.queue.storedThenTold(() => this.routes.acceptRemove(payload, intent), {
      stored: async () => {},
      notStored: (text) => respond({ ...refusalMessage(text), replace_original: false }),
    });
    if (accepted) await respond({ ...routeRemovedMessage(await accepted.run(), identifier, route), replace_original: false });
  }
}

/** A channel that cannot be routed to whatever anyone does: said under the field. */
function problemUnderField(standing: ChannelStanding): string | undefined {
  if (standing.kind === 'archived') return `#${standing.name} is archived: choose another channel.`;
  if (standing.kind === 'direct') return 'That is a direct message: link the person with /connect link instead.';
  return undefined;
}
