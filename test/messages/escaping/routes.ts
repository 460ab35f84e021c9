import * as links from '../../../src/features/routes/link-messages.js';
import * as routes from '../../../src/features/routes/messages.js';
import type { RoutePayload } from '../../../src/features/routes/route-jobs.js';
import { md } from '../../../src/slack/mrkdwn.js';
import type { LinkItem, LinkRun } from '../../../src/store/types.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { at, channelEndpoint, ids, linkRequest, origin, owned, owneds, userOr, vendorFailure } from './records.js';

const pending = (h: Hostile, validIds = true) => ({ subscriberId: h.text(), channelId: validIds ? ids.channel : h.text(), origin });

const routePayloads = (h: Hostile): RoutePayload[] =>
  (['slack_channel', 'slack_user'] as const).flatMap((type) =>
    [true, false].map((valid) => ({
      workspaceKey: 'team:T1',
      requestedBy: ids.user,
      type,
      target: valid ? (type === 'slack_channel' ? ids.channel : ids.other) : h.text(),
      subscriberId: h.text(),
    })),
  );

const failures = (h: Hostile) => [
  { status: 'done' as const, result: { identifier: h.text(), alreadyGone: true } },
  { status: 'done' as const, result: { identifier: h.text(), alreadyGone: false } },
  { status: 'failed' as const, error: h.text() },
  { status: 'failed' as const, error: vendorFailure(h) },
];

const removedRoutes = (h: Hostile) => [
  { type: 'slack_channel' as const, target: ids.channel, subscriberId: h.text() },
  { type: 'slack_user' as const, target: h.text(), subscriberId: h.text() },
  undefined,
];

const linkRun = (h: Hostile, status: LinkRun['status'], validIds = true): LinkRun => ({
  id: h.text(),
  workspaceKey: 'team:T1',
  requestedBy: userOr(h, validIds),
  status,
  confirmedBy: validIds ? 'U0CONFIRMER' : h.text(),
  channelId: null,
  messageTs: null,
  membersSeen: 12,
  error: h.text(),
  createdAt: at,
  updatedAt: at,
});

const items = (h: Hostile): LinkItem[] => [
  { userId: ids.user, subscriberId: null, state: 'unmatched', detail: h.text() },
  { userId: h.text(), subscriberId: h.text(), state: 'conflict', detail: null },
];
const runStatuses = ['planning', 'planned', 'linking', 'done', 'cancelled', 'failed'] as const;
const linkCounts = (matched: number) => ({ matched, unmatched: 5, conflict: 2, 'already-linked': 1, linked: 3, failed: 1 });

export const routeCoverage: ModuleCoverage[] = [
  {
    path: 'features/routes/messages.ts',
    module: routes,
    builders: {
      notConnectedMessage: () => [routes.notConnectedMessage()],
      channelRouteModal: (h) => [
        routes.channelRouteModal({ subscriberId: h.text(), channelId: ids.channel, origin }, { identifier: h.text(), integrationIdentifier: h.text() }),
      ],
      joinConfirmView: (h) => [routes.joinConfirmView(pending(h), h.text())],
      inviteView: (h) => [
        routes.inviteView(pending(h), ids.bot, h.text()),
        routes.inviteView(pending(h, false), h.text()),
        routes.inviteView(pending(h), undefined),
      ],
      checkingChannelView: () => [routes.checkingChannelView()],
      routingView: () => [routes.routingView()],
      channelRoutedView: (h) => [
        routes.channelRoutedView({ identifier: h.text(), existing: true }, pending(h)),
        routes.channelRoutedView({ identifier: h.text(), existing: false }, pending(h, false), false),
      ],
      routeFailedView: (h) => [
        routes.routeFailedView(h.text()),
        routes.routeFailedView(vendorFailure(h)),
        routes.routeFailedView(md`${h.text()}`),
        routes.routeFailedView(md`${h.text()}`, h.text()),
      ],
      routeQueuedView: (h) => [routes.routeQueuedView(h.text()), routes.routeQueuedView(vendorFailure(h)), routes.routeQueuedView(undefined)],
      channelSharedMessage: (h) => [routes.channelSharedMessage(ids.user, pending(h)), routes.channelSharedMessage(h.text(), pending(h, false))],
      describeRoute: (h) => owneds(h).map(routes.describeRoute),
      routesListMessage: (h) => [
        routes.routesListMessage(owneds(h), 2, { createdAt: at, identifier: h.text() }, { remove: true, test: true }),
        routes.routesListMessage(owneds(h), 1, undefined, { remove: false, test: false }),
        routes.routesListMessage([], 1, undefined, { remove: false, test: false }),
      ],
      routeRemovedMessage: (h) =>
        [...failures(h), { status: 'queued' as const, lastError: vendorFailure(h) }].flatMap((outcome) =>
          removedRoutes(h).map((route) => routes.routeRemovedMessage(outcome, h.text(), route)),
        ),
      routeCreatedDirectMessage: (h) =>
        routePayloads(h).flatMap((payload) => [
          routes.routeCreatedDirectMessage(payload, { status: 'done', result: { endpoint: channelEndpoint(h), existing: false } }),
          routes.routeCreatedDirectMessage(payload, { status: 'failed', error: vendorFailure(h) }),
        ]),
      routeRemovedDirectMessage: (h) =>
        failures(h).flatMap((outcome) =>
          removedRoutes(h).map((route) =>
            routes.routeRemovedDirectMessage({ workspaceKey: 'team:T1', requestedBy: ids.user, identifier: h.text(), ...(route ? { route } : {}) }, outcome),
          ),
        ),
      routesHomeSection: (h) => [
        routes.routesHomeSection(owneds(h), { write: true, linkSelf: true, test: true }, owned(h, 'slack_user')),
        routes.routesHomeSection(owneds(h), { write: false, linkSelf: true, test: false }, undefined),
        routes.routesHomeSection([], { write: true, linkSelf: false, test: true }, owned(h, 'slack_user')),
      ],
    },
  },
  {
    path: 'features/routes/link-messages.ts',
    module: links,
    builders: {
      linkUserModal: (h) => [links.linkUserModal({ userId: ids.user, subscriberId: h.text() })],
      linkSelfModal: (h) => [links.linkSelfModal(h.text()), links.linkSelfModal(undefined)],
      linkingView: () => [links.linkingView()],
      checkingLinkView: () => [links.checkingLinkView()],
      linkedView: (h) => [
        links.linkedView({ endpoint: channelEndpoint(h), existing: true }, ids.user, h.text()),
        links.linkedView({ endpoint: channelEndpoint(h), existing: false }, h.text(), h.text(), false),
      ],
      emailMismatchView: (h) => [links.emailMismatchView(h.text(), h.text())],
      askedView: (h) => [links.askedView(h.text())],
      linkRequestsSection: (h) => [links.linkRequestsSection([linkRequest(h, 'pending'), linkRequest(h, 'pending', false)])],
      linkDecisionDirectMessage: (h) => [
        links.linkDecisionDirectMessage(linkRequest(h, 'denied'), { linked: false }),
        links.linkDecisionDirectMessage(linkRequest(h, 'approved'), { linked: true }),
        links.linkDecisionDirectMessage(linkRequest(h, 'approved', false), { linked: false, error: vendorFailure(h) }),
      ],
      linkRunStartedMessage: () => [links.linkRunStartedMessage()],
      linkRunBusyMessage: (h) => [links.linkRunBusyMessage(linkRun(h, 'linking')), links.linkRunBusyMessage(linkRun(h, 'planning', false))],
      linkRunMessage: (h) =>
        runStatuses.flatMap((status) => [
          links.linkRunMessage(linkRun(h, status), linkCounts(4), { unmatched: items(h), conflicts: items(h) }),
          links.linkRunMessage(linkRun(h, status, false), linkCounts(0)),
        ]),
    },
  },
];
