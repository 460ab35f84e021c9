import type { Button, KnownBlock, View } from '@slack/types';
import type { JobFinish } from '../../jobs/queue.js';
import {
  actions,
  button,
  confirmDialog,
  context,
  type EphemeralMessage,
  ephemeral,
  formModal,
  header,
  message,
  noticeModal,
  plain,
  section,
  textInput,
} from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, isUserId, type Mrkdwn, md, mentionChannel, mentionUser, slackDate } from '../../slack/mrkdwn.js';
import { originMetadata, type ShareOrigin, shareBlock } from '../../slack/share.js';
import type { ConnectionRecord, EndpointCursor, OwnedEndpoint } from '../../store/types.js';
import { testButton } from '../delivery/actions.js';
import type { RemovedEndpoint, WrittenEndpoint } from '../endpoint-writer.js';
import { failureDetails, failureSentence, lastAnswerDetails } from '../failure-messages.js';
import { homeList } from '../home/list-blocks.js';
import type { RemoveRoutePayload, RoutePayload } from './route-jobs.js';

export const routeActions = {
  remove: 'routes.remove',
  more: 'routes.list.more',
  recheck: 'routes.channel.recheck',
  openChannel: 'routes.channel.open',
  openLink: 'routes.link.open',
  openLinkSelf: 'routes.link.self.open',
  openLinkAll: 'routes.linkall.open',
} as const;

export const channelView = {
  callbackId: 'routes.channel',
  subscriber: { block: 'subscriber', action: 'subscriber' },
  channel: { block: 'channel', action: 'routes.channel.pick' },
} as const;

export const joinView = { callbackId: 'routes.channel.join' } as const;

/** A channel route on its way through the forms: what was chosen, and where the form came from. */
export interface PendingChannelRoute {
  subscriberId: string;
  channelId: string;
  origin?: ShareOrigin;
}

export function notConnectedMessage(): EphemeralMessage {
  return ephemeral(
    md`:information_source: Notifications reach Slack through this workspace’s Novu connection, and there is none yet. Set it up with \`/connect setup\`, then route channels and people.`,
  );
}

export function channelRouteModal(
  prefill: { subscriberId?: string; channelId?: string; origin?: ShareOrigin },
  connection: Pick<ConnectionRecord, 'identifier' | 'integrationIdentifier'>,
): View {
  const intro = md`Novu’s Slack notifications for the subscriber will be posted in the channel, through this workspace’s Novu connection.`;
  const details = context(md`Details: connection ${code(connection.identifier)} on integration ${code(connection.integrationIdentifier)}`);
  const inputs: KnownBlock[] = [
    textInput(channelView.subscriber, 'Subscriber ID', prefill.subscriberId, { placeholder: 'subscriber-42', max: 200 }),
    {
      type: 'input',
      block_id: channelView.channel.block,
      label: plain('Channel'),
      hint: plain('A private channel works once Switchboard is invited to it.'),
      element: {
        type: 'conversations_select',
        action_id: channelView.channel.action,
        ...(prefill.channelId ? { initial_conversation: prefill.channelId } : { default_to_current_conversation: true }),
        filter: { include: ['public', 'private'], exclude_bot_users: true },
      },
    },
  ];
  if (prefill.origin) inputs.push(shareBlock());
  return formModal({ callbackId: channelView.callbackId, privateMetadata: originMetadata(prefill.origin) }, 'Route to a channel', 'Route', [
    section(intro),
    ...inputs,
    details,
  ]);
}

export function joinConfirmView(pending: PendingChannelRoute, channelName: string): View {
  const text = md`Switchboard is not in *#${channelName}*. To post there it will join it (everyone in #${channelName} sees it join), then route ${code(pending.subscriberId)} to it.`;
  return formModal({ callbackId: joinView.callbackId, privateMetadata: JSON.stringify(pending) }, 'Join the channel?', 'Join and route', [section(text)]);
}

export function inviteView(pending: PendingChannelRoute, botUserId: string | undefined, note?: string): View {
  // A mention inside code shows as a raw id: the command in code, the bot's mention (its name) after it.
  const invite = botUserId && isUserId(botUserId) ? md`\`/invite\` ${mentionUser(botUserId)}` : md`\`/invite @switchboard\``;
  const text = md`:lock: Switchboard cannot post in ${mentionChannel(pending.channelId)}: it is private, or Switchboard cannot see it. In that channel, send ${invite}, then check again.`;
  const blocks = [actions('routes-recheck', [button('Check again', routeActions.recheck, { style: 'primary' })]), ...(note ? [context(md`${note}`)] : [])];
  return { ...noticeModal('Invite Switchboard', text, blocks), private_metadata: JSON.stringify(pending) };
}

/** Slack is slow to describe the channel: nothing is written or promised yet. */
export function checkingChannelView(): View {
  return noticeModal('Route to Slack', md`:mag: Asking Slack about the channel… Nothing is written yet; this changes in a moment.`);
}

export function routingView(): View {
  return noticeModal('Route to Slack', md`:hourglass_flowing_sand: Writing the route to Novu…`);
}

/** The route is written; for who may test, Test through Novu proves it delivers. */
export function channelRoutedView(route: { identifier: string; existing: boolean }, pending: PendingChannelRoute, canTest = true): View {
  const again = route.existing ? ' (it was already routed there)' : '';
  const next = canTest
    ? [
        actions('routes-test', [testButton(route.identifier)]),
        context(md`*Next:* Test through Novu sends ${pending.subscriberId} a real test notification through Novu and says where it arrived or stopped.`),
      ]
    : [];
  return noticeModal(
    'Routed',
    md`:white_check_mark: Novu’s Slack notifications for ${code(pending.subscriberId)} go to ${mentionChannel(pending.channelId)}${again}, when a trigger carries this workspace’s context (\`/connect\` shows it).`,
    [...next, context(md`Details: endpoint ${code(route.identifier)}`)],
  );
}

/** Why a route was not written: Switchboard's words, the vendor's in a details line; or a sentence of Switchboard's (with Slack's code behind it). */
export function routeFailedView(error: string | Mrkdwn, slackSaid?: string): View {
  if (typeof error !== 'string') return noticeModal('Not routed', md`:x: ${error}`, slackSaid ? [context(md`Details: Slack answered ${code(slackSaid)}`)] : []);
  return noticeModal('Not routed', md`:x: ${failureSentence(error)}`, failureDetails(error));
}

export function routeQueuedView(lastError: string | undefined): View {
  return noticeModal(
    'Route to Slack',
    md`:hourglass_flowing_sand: Novu is slow to answer; the route is queued and you will get a direct message when it is written.`,
    lastAnswerDetails(lastError),
  );
}

export function channelSharedMessage(userId: string, pending: PendingChannelRoute): SlackMessage {
  const who = mentionUser(userId);
  const where = mentionChannel(pending.channelId);
  const text = md`${who} routed Novu’s Slack notifications for ${pending.subscriberId} to ${where}.`;
  return message(text, [section(md`${who} routed Novu’s Slack notifications for ${code(pending.subscriberId)} to ${where}.`)]);
}

/** A route as a sentence with names: "#alerts receives notifications for subscriber `sub-1`", "@Alex is linked to …". */
export function describeRoute(route: Pick<OwnedEndpoint, 'type' | 'target' | 'subscriberId'>): Mrkdwn {
  const subscriber = code(route.subscriberId);
  return route.type === 'slack_channel'
    ? md`${mentionChannel(route.target)} receives Novu’s notifications for subscriber ${subscriber}`
    : md`${mentionUser(route.target)} is linked to subscriber ${subscriber} and gets their notifications as direct messages`;
}

/** What no longer happens once a route is removed; a plain "the route" when Switchboard no longer knows which it was. */
function routeGone(route: RemoveRoutePayload['route']): Mrkdwn {
  if (!route) return md`The route is removed.`;
  const subscriber = code(route.subscriberId);
  return route.type === 'slack_channel'
    ? md`${mentionChannel(route.target)} no longer receives Novu’s notifications for subscriber ${subscriber}.`
    : md`${mentionUser(route.target)} is no longer linked to subscriber ${subscriber}.`;
}

/** Who made a route, and when. */
const madeBy = (route: OwnedEndpoint) => md`Set up by ${mentionUser(route.createdBy)} ${slackDate(route.createdAt)}`;

const routeDetails = (identifier: string) => context(md`Details: endpoint ${code(identifier)}`);

export const routesPageSize = 10;

export function routesListMessage(
  routes: OwnedEndpoint[],
  page: number,
  next: EndpointCursor | undefined,
  can: { remove: boolean; test: boolean },
): EphemeralMessage {
  if (routes.length === 0 && page === 1) {
    return ephemeral(md`No Slack routes yet. Route a channel with \`/connect channel\`, or link people with \`/connect link\` and \`/connect link-all\`.`);
  }
  const blocks: KnownBlock[] = [header(`Slack routes${page > 1 ? ` · page ${page}` : ''}`)];
  routes.forEach((route, index) => {
    const remove = button('Remove', `${routeActions.remove}:${index}`, {
      value: route.identifier,
      style: 'danger',
      confirm: confirmDialog('Remove this route?', md`Novu stops delivering ${route.subscriberId}'s Slack notifications there.`, 'Remove'),
    });
    const buttons = [...(can.test ? [testButton(route.identifier, index)] : []), ...(can.remove ? [remove] : [])];
    blocks.push(
      section(md`${describeRoute(route)}.\n${madeBy(route)}`),
      routeDetails(route.identifier),
      ...(buttons.length ? [actions(`routes-row-${index}`, buttons)] : []),
    );
  });
  if (next) blocks.push(actions('routes-more', [button('More', routeActions.more, { value: JSON.stringify({ page: page + 1, ...next }) })]));
  return ephemeral(md`Slack routes (page ${page})`, blocks);
}

export function routeRemovedMessage(
  outcome: JobFinish<RemovedEndpoint>['outcome'] | { status: 'queued'; lastError?: string },
  identifier: string,
  route?: RemoveRoutePayload['route'],
): EphemeralMessage {
  switch (outcome.status) {
    case 'done': {
      const text = outcome.result.alreadyGone ? md`The route was already gone. ${routeGone(route)}` : md`:white_check_mark: Removed. ${routeGone(route)}`;
      return ephemeral(text, [section(text), routeDetails(identifier)]);
    }
    case 'failed': {
      const text = md`:x: The route was not removed: ${failureSentence(outcome.error)}`;
      return ephemeral(text, [section(text), ...failureDetails(outcome.error), routeDetails(identifier)]);
    }
    case 'queued': {
      const text = md`:hourglass_flowing_sand: Novu is slow to answer; the route will be removed, and you will get a direct message.`;
      return ephemeral(text, [section(text), ...lastAnswerDetails(outcome.lastError), routeDetails(identifier)]);
    }
  }
}

export function routeCreatedDirectMessage(payload: RoutePayload, outcome: JobFinish<WrittenEndpoint>['outcome']): SlackMessage {
  const where = payload.type === 'slack_channel' ? mentionChannel(payload.target) : mentionUser(payload.target);
  if (outcome.status === 'done') return message(md`:white_check_mark: Novu’s Slack notifications for ${code(payload.subscriberId)} now go to ${where}.`);
  const text = md`:x: The route of ${code(payload.subscriberId)} to ${where} was not written: ${failureSentence(outcome.error)}`;
  return message(text, [section(text), ...failureDetails(outcome.error)]);
}

export function routeRemovedDirectMessage(payload: RemoveRoutePayload, outcome: JobFinish<RemovedEndpoint>['outcome']): SlackMessage {
  const text =
    outcome.status === 'done' ? md`:white_check_mark: ${routeGone(payload.route)}` : md`:x: The route was not removed: ${failureSentence(outcome.error)}`;
  return message(text, [section(text), ...(outcome.status === 'failed' ? failureDetails(outcome.error) : []), routeDetails(payload.identifier)]);
}

/** The App Home's routes: the latest few, each with Test through Novu for those who may test, and what the person may do. */
export function routesHomeSection(
  routes: OwnedEndpoint[],
  can: { write: boolean; linkSelf: boolean; test: boolean },
  ownLink: OwnedEndpoint | undefined,
): KnownBlock[] {
  const line = (route: OwnedEndpoint) => md`${describeRoute(route)}. ${madeBy(route)}.`;
  const blocks = homeList(md`*Slack routes*`, routes, line, {
    empty: md`None yet: Novu cannot post anywhere in Slack on its own.`,
    note: ownLink ? md`\nYour Slack account is linked to ${code(ownLink.subscriberId)}.` : '',
    button: can.test && ((route, index) => testButton(route.identifier, `route-${index}`)),
  });
  const buttons: Button[] = [];
  if (can.write) {
    buttons.push(
      button('Route a channel', routeActions.openChannel),
      button('Link a person', routeActions.openLink),
      button('Link everyone by email', routeActions.openLinkAll),
    );
  }
  if (can.linkSelf && !ownLink) buttons.push(button('Link my Slack account', routeActions.openLinkSelf));
  if (buttons.length) blocks.push(actions('home-routes', buttons));
  return blocks;
}
