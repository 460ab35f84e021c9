import { setTimeout as sleep } from 'node:timers/promises';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Accepted, Telling } from '../../jobs/queue.js';
import { type Actor, actorOf } from '../../slack/actor.js';
import { refusalMessage } from '../../slack/commands/messages.js';
import type { CommandRequest, CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners, ViewSubmissionArgs } from '../../slack/listener-table.js';
import { splitMentions } from '../../slack/mentions.js';
import { mentionChannel } from '../../slack/mrkdwn.js';
import { showInForm } from '../../slack/replies.js';
import { commandOrigin, sharedOrigin, withShareNote } from '../../slack/share.js';
import { inputState, type StateValues, textOf } from '../../slack/view-state.js';
import type { EndpointCursor } from '../../store/types.js';
import type { RouteDeps } from '../deps.js';
import type { WrittenEndpoint } from '../endpoint-writer.js';
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
  routeCreatedDirectMessage,
  routeFailedView,
  routeQueuedView,
  routeRemovedMessage,
  routesListMessage,
  routesPageSize,
  routingView,
} from './messages.js';
import { type RouteJobs, type RoutePayload, routeTypes } from './route-jobs.js';
import { type ChannelStanding, channelStanding, describePostFailure, joinChannel } from './slack-checks.js';

/** A submission waits this long for Slack to describe the channel, so problems can go under the field. */
const channelCheckBudgetMs = 1_200;
const maxSubscriberIdLength = 200;

const pendingSchema = z.object({
  subscriberId: z.string().min(1).max(maxSubscriberIdLength),
  channelId: z.string().regex(/^[CG][A-Z0-9]{2,}$/),
  origin: z.object({ channelId: z.string(), responseUrl: z.string().optional() }).optional(),
  identifier: z.string().optional(),
});

/** What a follow-up view carries in its private_metadata (set by Switchboard, handed back by Slack). */
function pendingOf(privateMetadata: string | undefined): (PendingChannelRoute & { identifier?: string }) | undefined {
  try {
    const parsed = pendingSchema.safeParse(JSON.parse(privateMetadata || '{}'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The subscriber ID as typed: trimmed, required, at most 200 characters. */
export function readSubscriberId(values: StateValues, actionId: string): { subscriberId: string } | { error: string } {
  const typed = textOf(inputState<{ value?: unknown }>(values, actionId)?.value)?.trim();
  if (!typed) return { error: 'Enter the Novu subscriber ID.' };
  if (typed.length > maxSubscriberIdLength) return { error: `A subscriber ID here is at most ${maxSubscriberIdLength} characters.` };
  return { subscriberId: typed };
}

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
    router.on('connect', 'routes', (request) => this.list(request));
    const write = { may: 'routes.write' } as const;
    app.view(channelView.callbackId, { ...write, field: channelView.subscriber.block }, (args: ViewSubmissionArgs) => this.submitForm(args));
    app.view(joinView.callbackId, write, (args: ViewSubmissionArgs) => this.submitJoin(args));
    app.action(routeActions.recheck, write, (args: ButtonArgs) => this.recheck(args));
    app.action(routeActions.more, { may: 'routes.read' }, (args: ButtonArgs) => this.more(args));
    app.action(
      new RegExp(`^${routeActions.remove.replace('.', '\\.')}(:\\d+)?$`),
      { ...write, owns: { record: 'endpoint', in: 'value' } },
      (args: ButtonArgs) => this.remove(args),
    );
    app.action(routeActions.openChannel, { ...write, opensForm: true }, async ({ body, client, context }: ButtonArgs) => {
      const actor = actorOf(context);
      const view = await this.formFor(actor, {});
      if (view) await client.views.open({ trigger_id: body.trigger_id, view });
      else await this.services.bots.sendDirectMessage(actor.tenant.key, actor.userId, notConnectedMessage());
    });
  }

  private async formFor(
    actor: Actor,
    prefill: { subscriberId?: string; channelId?: string; origin?: PendingChannelRoute['origin'] },
  ): Promise<View | undefined> {
    const connection = await this.routes.usableConnection(actor.tenant.key);
    return connection ? channelRouteModal(prefill, { identifier: connection.identifier, integration: connection.integrationIdentifier }) : undefined;
  }

  private async openForm({ args, actor, body, openModal, respond }: CommandRequest): Promise<void> {
    const { channelId, rest } = splitMentions(args);
    const view = await this.formFor(actor, { channelId, subscriberId: rest[0], origin: commandOrigin(body) });
    if (view) await openModal(view);
    else await respond(notConnectedMessage());
  }

  private async submitForm({ ack, view, client, context }: ViewSubmissionArgs): Promise<void> {
    const actor = actorOf(context);
    const values = view.state.values as StateValues;
    const subscriber = readSubscriberId(values, channelView.subscriber.action);
    const channelId = textOf(inputState<{ selected_conversation?: unknown }>(values, channelView.channel.action)?.selected_conversation);
    const errors: Record<string, string> = {};
    if ('error' in subscriber) errors[channelView.subscriber.block] = subscriber.error;
    if (!channelId) errors[channelView.channel.block] = 'Choose the channel.';
    if (!channelId || 'error' in subscriber) return ack({ response_action: 'errors', errors });
    const pending: PendingChannelRoute = { subscriberId: subscriber.subscriberId, channelId, origin: sharedOrigin(view) };

    // Slack usually describes the channel at once: then a problem can go under the field.
    const checking = channelStanding(client, channelId);
    const quick = await Promise.race([checking, sleep(channelCheckBudgetMs, undefined, { ref: false })]).catch(() => undefined);
    const fieldProblem = quick && problemUnderField(quick);
    if (fieldProblem) return ack({ response_action: 'errors', errors: { [channelView.channel.block]: fieldProblem } });
    if (quick?.kind === 'member') {
      return this.route(actor, client, view.id, pending, {
        stored: () => ack({ response_action: 'update', view: routingView() }),
        // The form stays as typed, with the reason under the subscriber.
        notStored: (text) => ack({ response_action: 'errors', errors: { [channelView.subscriber.block]: text } }),
      });
    }
    if (quick) return ack({ response_action: 'update', view: this.nextStep(quick, pending, context.botUserId) });
    // Nothing is stored or promised yet: the form says it is asking Slack.
    await ack({ response_action: 'update', view: checkingChannelView() });
    const standing = await checking.catch(() => undefined);
    if (!standing) return this.show(client, view.id, routeFailedView('Slack did not describe the channel in time. Try again in a moment.'));
    if (standing.kind === 'member') return this.route(actor, client, view.id, pending, this.toView(client, view.id));
    const problem = problemUnderField(standing);
    await this.show(client, view.id, problem ? routeFailedView(problem) : this.nextStep(standing, pending, context.botUserId));
  }

  /** Tells a person through a view already shown (after its form was acknowledged). */
  private toView<T>(client: WebClient, viewId: string): Telling<T> {
    return { stored: () => this.show(client, viewId, routingView()), notStored: (text) => this.show(client, viewId, routeFailedView(text)) };
  }

  private nextStep(standing: ChannelStanding, pending: PendingChannelRoute, botUserId: string | undefined): View {
    return standing.kind === 'public' ? joinConfirmView(pending, standing.name) : inviteView(pending, botUserId);
  }

  /** The person agreed that Switchboard joins the public channel. */
  private async submitJoin({ ack, view, client, context }: ViewSubmissionArgs): Promise<void> {
    const actor = actorOf(context);
    const pending = pendingOf(view.private_metadata);
    if (!pending) return ack({ response_action: 'update', view: routeFailedView('This form is out of date; run /connect channel again.') });
    // Joined first (Slack answers within the acknowledgement), then the route stored, then the person told.
    const joinError = await Promise.race([joinChannel(client, pending.channelId), sleep(channelCheckBudgetMs, 'slow', { ref: false })]);
    if (joinError === 'slow') return ack({ response_action: 'update', view: routeFailedView('Slack did not answer in time. Try again in a moment.') });
    if (joinError) return ack({ response_action: 'update', view: routeFailedView(describePostFailure(joinError, mentionChannel(pending.channelId))) });
    await this.route(actor, client, view.id, pending, {
      stored: () => ack({ response_action: 'update', view: routingView() }),
      notStored: (text) => ack({ response_action: 'update', view: routeFailedView(text) }),
    });
  }

  /** "Check again" after inviting the bot to a private channel. */
  private async recheck({ body, client, context }: ButtonArgs): Promise<void> {
    const actor = actorOf(context);
    const pending = pendingOf(body.view?.private_metadata);
    if (!body.view || !pending) return;
    const standing = await channelStanding(client, pending.channelId).catch(() => undefined);
    if (standing?.kind === 'member' || standing?.kind === 'public') return this.route(actor, client, body.view.id, pending, this.toView(client, body.view.id));
    const note = `Still not invited (checked ${new Date().toISOString().slice(11, 19)} UTC).`;
    await this.show(
      client,
      body.view.id,
      standing && problemUnderField(standing) ? routeFailedView(problemUnderField(standing) ?? '') : inviteView(pending, context.botUserId, note),
    );
  }

  /** Stores the route, then tells the person (`tell`), then writes it while they wait. */
  private async route(actor: Actor, client: WebClient, viewId: string, pending: PendingChannelRoute, tell: Telling<Accepted<WrittenEndpoint>>): Promise<void> {
    const payload: RoutePayload = {
      workspaceKey: actor.tenant.key,
      requestedBy: actor.userId,
      type: 'slack_channel',
      target: pending.channelId,
      subscriberId: pending.subscriberId,
    };
    const accepted = await this.services.queue.storedThenTold(
      () => this.routes.acceptCreate(payload, `channel:${viewId}:${pending.channelId}:${pending.subscriberId}`),
      tell,
    );
    if (!accepted) return;
    const outcome = await accepted.run();
    const where = { viewId, workspaceKey: actor.tenant.key, userId: actor.userId };
    if (outcome.status === 'queued') return this.show(client, viewId, routeQueuedView(outcome.lastError));
    if (outcome.status === 'failed')
      return showInForm(this.services, client, where, routeFailedView(outcome.error), routeCreatedDirectMessage(payload, outcome));
    const shared = await this.services.sharing.share(client, pending.origin, channelSharedMessage(actor.userId, pending));
    const route = { identifier: outcome.result.endpoint.identifier, existing: outcome.result.existing };
    await showInForm(this.services, client, where, withShareNote(channelRoutedView(route, pending), shared), routeCreatedDirectMessage(payload, outcome));
  }

  private async list({ actor, client, respond }: CommandRequest): Promise<void> {
    await respond(await this.page(actor, client, 1, undefined));
  }

  private async more({ action, client, context, respond }: ButtonArgs): Promise<void> {
    const actor = actorOf(context);
    const cursor = z.object({ page: z.number().int().min(2), createdAt: z.number(), identifier: z.string() }).safeParse(safeJson(action.value));
    if (!cursor.success) return;
    const { page, ...after } = cursor.data;
    await respond({ replace_original: true, ...(await this.page(actor, client, page, after)) });
  }

  private async page(actor: Actor, client: WebClient, page: number, after: EndpointCursor | undefined) {
    const rows = await this.services.store.endpoints.page({ workspaceKey: actor.tenant.key, types: [...routeTypes], after, limit: routesPageSize + 1 });
    const shown = rows.slice(0, routesPageSize);
    const last = shown.at(-1);
    const next = rows.length > routesPageSize && last ? { createdAt: last.createdAt, identifier: last.identifier } : undefined;
    return routesListMessage(shown, page, next, await this.services.permissions.allows(actor, 'routes.write', client));
  }

  private async remove({ action, body, context, respond }: ButtonArgs): Promise<void> {
    const actor = actorOf(context);
    const identifier = action.value ?? '';
    const accepted = await this.services.queue.storedThenTold(
      () =>
        this.routes.acceptRemove(
          { workspaceKey: actor.tenant.key, requestedBy: actor.userId, identifier },
          `${body.container?.message_ts ?? action.action_ts}:${actor.userId}`,
        ),
      { stored: async () => {}, notStored: (text) => respond({ ...refusalMessage(text), replace_original: false }) },
    );
    if (accepted) await respond({ ...routeRemovedMessage(await accepted.run(), identifier), replace_original: false });
  }

  private async show(client: WebClient, viewId: string, view: View): Promise<void> {
    await client.views.update({ view_id: viewId, view }).catch((error: unknown) => {
      this.services.logger.warn({ err: error }, 'could not show a Slack route step; the result is in the audit log');
    });
  }
}

/** A channel that cannot be routed to whatever anyone does: said under the field. */
function problemUnderField(standing: ChannelStanding): string | undefined {
  if (standing.kind === 'archived') return `#${standing.name} is archived: choose another channel.`;
  if (standing.kind === 'direct') return 'That is a direct message: link the person with /connect link instead.';
  return undefined;
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
