import { readFileSync } from 'node:fs';
import type { View } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { auditListMessage, connectionCard, disconnectPrompt, setupModal, setupResultView } from '../../src/features/connect/messages.js';
import { checkReply } from '../../src/features/delivery/health-messages.js';
import { testResultMessage } from '../../src/features/delivery/test-messages.js';
import { homeView } from '../../src/features/home/messages.js';
import { importModal } from '../../src/features/numbers/import-form.js';
import { activationView, numbersMessage, provisionedView } from '../../src/features/numbers/messages.js';
import { releaseConfirmModal, releaseResultView, releasingView } from '../../src/features/numbers/release-messages.js';
import { sipModal } from '../../src/features/numbers/sip-form.js';
import { endpointListMessage, registeredView, registerModal, removePrompt } from '../../src/features/phone/messages.js';
import { emailMismatchView, linkRequestsSection, linkRunMessage, linkSelfModal, linkUserModal } from '../../src/features/routes/link-messages.js';
import { channelRoutedView, channelRouteModal, inviteView, joinConfirmView, routesListMessage } from '../../src/features/routes/messages.js';
import { commandCatalog } from '../../src/slack/commands/catalog.js';
import { helpMessage, refusalMessage, refusedView, unknownSubcommandMessage } from '../../src/slack/commands/messages.js';
import { md } from '../../src/slack/mrkdwn.js';
import { replyView } from '../../src/slack/replies.js';
import type { AuditEntry, ConnectionRecord } from '../../src/store/types.js';
import { checkMessage, checkView } from '../kit/block-kit.js';
import { findingKinds, verdicts } from './escaping/delivery.js';

/**
 * Every Slack-facing builder, rendered with realistic and with extreme data, must pass Slack's
 * Block Kit limits; the README's "What you see" table must name each form's fields.
 */
const connection: ConnectionRecord = {
  workspaceKey: 'team:T1',
  identifier: 'slack-t1-0123456789',
  integrationIdentifier: 'slack-prod',
  mode: 'shared',
  context: { tenant: 'T1', region: 'eu' },
  subscriberId: null,
  state: 'failed',
  lastError: `Novu answered 500: ${'x'.repeat(3000)}`,
  syncedAt: 1_700_000_000_000,
  intent: 'setup:V1',
  createdAt: 1_690_000_000_000,
  updatedAt: 1_700_000_000_000,
};

const audit = (index: number): AuditEntry => ({
  id: String(index),
  at: 1_700_000_000_000 + index,
  workspaceKey: 'team:T1',
  userId: 'U1',
  action: index % 2 ? 'endpoint.register' : 'number.create',
  target: `sub-${index}`,
  backend: index % 2 ? 'novu' : 'vapi',
  backendId: `id-${index}-${'y'.repeat(60)}`,
  outcome: 'ok',
  error: index % 3 ? null : 'e'.repeat(500),
  detail: null,
});

const endpoint = (index: number) => ({
  identifier: `phone-twilio-${String(index).padStart(16, '0')}`,
  type: 'phone',
  endpoint: { phoneNumber: `+1415555${String(1000 + index)}` },
  subscriberId: `subscriber-${index}`,
  integrationIdentifier: 'twilio-sms',
});

const origin = { channelId: 'C1', responseUrl: `https://hooks.slack.com/commands/T1/1/${'x'.repeat(24)}` };
const modals: [string, View][] = [
  ['setup', setupModal(undefined, { tenantEntry: 'tenant:T1', tenantSubscriber: 'slack-T1', canChooseScope: false }, { routes: 12_000, phones: 1 }, origin)],
  ['register', registerModal({ number: '+1 415 555 0100', subscriberId: 's', origin, problem: { field: 'subscriber', text: 'x'.repeat(2000) } }, 'US')],
  ['sip', sipModal({ origin, name: 'n'.repeat(80) }, 'sip.vapi.ai')],
  ['import', importModal({ number: '+1 800 555 0100', origin }, 'US')],
  [
    'channel',
    channelRouteModal({ subscriberId: 's'.repeat(200), channelId: 'C0OPS', origin }, { identifier: 'c'.repeat(120), integrationIdentifier: 'i'.repeat(120) }),
  ],
  ['link', linkUserModal({ userId: 'U0ME', subscriberId: 's'.repeat(200) })],
  ['link self', linkSelfModal(`${'e'.repeat(60)}@example.com`)],
  // Every input drawn, and every hidden one kept in the form's metadata, each as long as it can be.
  ...(['free', 'sip'] as const).map((kind): [string, View] => [
    `sip (${kind}, every input)`,
    sipModal(
      {
        origin,
        kind,
        login: true,
        answeredBy: 'server',
        more: true,
        name: 'n'.repeat(80),
        areaCode: '9'.repeat(50),
        sipUser: 'u'.repeat(3000),
        username: 'u'.repeat(3000),
        password: 'p'.repeat(3000),
        assistant: { id: 'a'.repeat(3000), label: 'l'.repeat(3000) },
        squad: { id: 's'.repeat(3000), label: 'l'.repeat(3000) },
        workflow: 'w'.repeat(3000),
        serverUrl: 'h'.repeat(3000),
        serverTimeout: '9'.repeat(50),
        fallback: 'f'.repeat(3000),
      },
      'sip.vapi.ai',
    ),
  ]),
];

const pendingRoute = { subscriberId: 's'.repeat(200), channelId: 'C0OPS', origin };
const linkRun = (status: 'planning' | 'planned' | 'linking' | 'done' | 'cancelled' | 'failed') => ({
  id: 'run-1',
  workspaceKey: 'team:T1',
  requestedBy: 'U1',
  status,
  channelId: 'D1',
  messageTs: '1.1',
  membersSeen: 250,
  error: status === 'failed' ? 'e'.repeat(4000) : null,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
});
const linkCounts = { matched: 440, unmatched: 34, conflict: 10, 'already-linked': 20, linked: 0, failed: 0 };
const someItems = Array.from({ length: 10 }, (_, index) => ({ userId: `U${index}`, subscriberId: null, state: 'unmatched' as const, detail: 'd'.repeat(200) }));

describe('message builders pass Block Kit checks', () => {
  it.each(modals)('the %s form', (_name, view) => {
    expect(checkView(view as never)).toEqual([]);
  });

  it('results, cards and lists, with long values', () => {
    const views: View[] = [
      setupResultView({ status: 'done', result: { identifier: 'slack-x', integrationIdentifier: 'slack-prod', action: 'adopted' } }),
      setupResultView({ status: 'failed', error: 'f'.repeat(5000) }),
      registeredView(
        { endpoint: endpoint(1) as never, existing: true },
        { identifier: 'i', type: 'phone', subscriberId: 's', integrationIdentifier: 'twilio-sms', endpoint: { phoneNumber: '+14155550100' } },
      ),
      provisionedView(
        { backend: 'vapi', existing: false, number: { id: 'v1', provider: 'vapi', number: '+14155550100', status: 'activating' } },
        { password: 'p'.repeat(40), warning: 'w' },
      ),
      provisionedView(
        { backend: 'signalwire', existing: false, number: { id: 's1', number: '+18005550100', number_type: 'tollfree', capabilities: ['sms'] } },
        { spaceUrl: 'https://x.signalwire.com' },
      ),
    ];
    views.push(
      joinConfirmView(pendingRoute, 'n'.repeat(80)),
      inviteView(pendingRoute, 'UBOT', 'Still not invited'),
      channelRoutedView({ identifier: 'slack-channel-0123456789abcdef', existing: true }, pendingRoute),
      emailMismatchView('s'.repeat(200), 'r'.repeat(4000)),
    );
    const releaseTarget = {
      backend: 'vapi' as const,
      vendorId: 'v'.repeat(36),
      label: 'sip:'.padEnd(200, 'x'),
      ownerKey: 'team:T1',
      endpoints: Array.from({ length: 1000 }, (_, index) => ({ identifier: `phone-${'i'.repeat(90)}${index}`, subscriberId: 's'.repeat(200) })),
    };
    const released = { target: releaseTarget, alreadyGone: false };
    views.push(
      releaseConfirmModal(releaseTarget),
      releasingView(releaseTarget),
      refusedView('r'.repeat(4000)),
      releaseResultView(releaseTarget, { status: 'failed', error: 'e'.repeat(4000), job: {} as never }),
      releaseResultView(releaseTarget, {
        status: 'done',
        job: {} as never,
        result: {
          ...released,
          endpointsRemoved: releaseTarget.endpoints.map((endpoint) => endpoint.identifier),
          endpointsLeft: releaseTarget.endpoints.map((endpoint) => ({ identifier: endpoint.identifier, reason: 'n'.repeat(500) })),
        },
      }),
      activationView({ state: 'blocked', number: { id: 'v1', provider: 'vapi', number: '+14155550100', status: 'blocked' } }),
    );
    for (const view of views) expect(checkView(view as never)).toEqual([]);

    const messages = [
      connectionCard('Acme', connection, true, ['tenant:T1', `region:${'r'.repeat(100)}`]),
      connectionCard('Acme', undefined, false, ['tenant:T1']),
      disconnectPrompt(connection),
      auditListMessage(Array.from({ length: 20 }, (_, index) => audit(index))),
      endpointListMessage({ endpoints: Array.from({ length: 10 }, (_, index) => endpoint(index)) as never, next: 'cursor', pageNumber: 2, subscriberId: 's' }),
      removePrompt('phone-x'),
      routesListMessage(
        Array.from({ length: 10 }, (_, index) => ({
          identifier: `slack-channel-${index}`,
          workspaceKey: 'team:T1',
          type: index % 2 ? ('slack_user' as const) : ('slack_channel' as const),
          subscriberId: 's'.repeat(200),
          integrationIdentifier: 'slack-prod',
          connectionIdentifier: 'c',
          target: index % 2 ? 'U0PERSON' : 'C0OPS',
          createdBy: 'U1',
          createdAt: 1_700_000_000_000,
          contextKeys: ['tenant:T1'],
        })),
        3,
        { createdAt: 1, identifier: 'i'.repeat(100) },
        { remove: true, test: true },
      ),
      ...(['planning', 'planned', 'linking', 'done', 'cancelled', 'failed'] as const).map((status) =>
        linkRunMessage(linkRun(status), linkCounts, { unmatched: someItems, conflicts: someItems }),
      ),
      {
        text: 'requests',
        blocks: linkRequestsSection(
          Array.from({ length: 5 }, (_, index) => ({
            id: `r${index}`,
            workspaceKey: 'team:T1',
            userId: `U${index}`,
            subscriberId: 's'.repeat(200),
            status: 'pending' as const,
            requestedAt: 1,
            decidedBy: null,
            decidedAt: null,
          })),
        ),
      },
      ...[
        [false, false],
        [true, false],
        [true, true],
        [false, true],
      ].map(([mayRelease = false, mayRegister = false]) =>
        numbersMessage({
          vapi: Array.from({ length: 60 }, (_, index) => ({ id: `v${index}`, provider: 'vapi', number: `+1415555${1000 + index}`, name: 'n'.repeat(40) })),
          signalwire: Array.from({ length: 60 }, (_, index) => ({
            id: `s${index}`,
            number: `+1415666${1000 + index}`,
            name: 'n'.repeat(80),
            number_type: 'longcode',
          })),
          registrations: [{ number: '+14155551001', subscriberId: 's'.repeat(200) }],
          owners: new Map([['vapi:v1', 'W'.repeat(300)]]),
          mayRelease,
          mayRegister,
        }),
      ),
      numbersMessage({ vapi: [], signalwire: { error: 'SignalWire refused' }, registrations: [], mayRelease: true }),
      ...commandCatalog.map((command) => helpMessage(command)),
      unknownSubcommandMessage(commandCatalog[1] as never, '/phone', 'x'.repeat(3000), undefined),
      refusalMessage('Only operators may provision numbers.'),
    ];
    for (const message of messages) expect(checkMessage(message as never)).toEqual([]);
  });

  it('the App Home with every section filled', () => {
    const view = homeView(
      {
        workspaceName: 'W'.repeat(200),
        novuConfigured: true,
        connection,
        endpoints: Array.from({ length: 5 }, (_, index) => ({
          identifier: `phone-x-${'i'.repeat(80)}${index}`,
          workspaceKey: 'team:T1',
          type: 'phone' as const,
          subscriberId: 's'.repeat(200),
          integrationIdentifier: 'twilio-sms',
          connectionIdentifier: null,
          target: '+14155550100',
          createdBy: 'U1',
          createdAt: 1_700_000_000_000,
          contextKeys: ['tenant:T1'],
        })),
        numbers: Array.from({ length: 5 }, (_, index) => ({
          backend: 'vapi' as const,
          vendorId: `v-${index}`,
          workspaceKey: 'team:T1',
          number: null,
          sipUri: `sip:${'u'.repeat(60)}@sip.vapi.ai`,
          name: 'n'.repeat(40),
          status: 'active',
          createdBy: 'U1',
          createdAt: 1_700_000_000_000,
          updatedAt: 1_700_000_000_000,
        })),
        audit: Array.from({ length: 10 }, (_, index) => audit(index)),
        routes: Array.from({ length: 5 }, (_, index) => ({
          identifier: `slack-channel-${'c'.repeat(16)}${index}`,
          workspaceKey: 'team:T1',
          type: index % 2 ? ('slack_user' as const) : ('slack_channel' as const),
          subscriberId: 's'.repeat(200),
          integrationIdentifier: 'slack-prod',
          connectionIdentifier: 'slack-prod-T1',
          target: index % 2 ? 'U0PERSON' : 'C0CHANNEL',
          createdBy: 'U1',
          createdAt: 1_700_000_000_000,
          contextKeys: ['tenant:T1'],
        })),
        ownLink: undefined,
        ask: md`Ask <@U1> or another workspace admin.`,
        linkRequests: Array.from({ length: 5 }, (_, index) => ({
          id: `req-${index}`,
          workspaceKey: 'team:T1',
          userId: `U${index}`,
          subscriberId: 's'.repeat(200),
          status: 'pending' as const,
          requestedAt: 1_700_000_000_000,
          decidedBy: null,
          decidedAt: null,
        })),
        jobs: {
          counts: { pending: 1, running: 0, done: 10, dead: 5 },
          dead: Array.from({ length: 5 }, (_, index) => ({
            job: { id: `job-${index}`, kind: 'novu.connection.sync', workspaceKey: 'team:T1', attempts: 12, lastError: 'z'.repeat(800) } as never,
            tenant: 'T'.repeat(300),
            label: 'write the Novu connection',
          })),
        },
        pendingTenants: Array.from({ length: 12 }, (_, index) => ({
          workspaceKey: `team:T${index}`,
          kind: 'team' as const,
          slackId: `T${index}`,
          name: 'N'.repeat(300),
          status: 'pending' as const,
          installedBy: 'U9',
          requestedAt: 1_700_000_000_000,
          decidedBy: null,
          decidedAt: null,
          installs: 1,
          createdAt: 1_700_000_000_000,
          updatedAt: 1_700_000_000_000,
        })),
        delivery: {
          context: ['tenant:T1', `region:${'r'.repeat(100)}`],
          check: {
            context: ['tenant:T1'],
            endpoints: 6000,
            findings: [],
            more: 5999,
            connection: { kind: 'context-differs', detail: 'x'.repeat(900) },
            checkedAt: 1,
          },
        },
      },
      {
        manageConnection: true,
        writeEndpoints: true,
        provisionVapi: true,
        provisionSignalWire: true,
        decideNumberRequests: true,
        releaseNumbers: true,
        changeNumbers: true,
        reportNumbers: true,
        readAudit: true,
        readEndpoints: true,
        readNumbers: true,
        manageJobs: true,
        readRoutes: true,
        writeRoutes: true,
        linkSelf: true,
        testDelivery: true,
      },
    );
    expect(checkView(view as never)).toEqual([]);
  });
});

describe('delivery messages pass Block Kit checks', () => {
  const types = ['slack_channel', 'slack_user', 'phone'] as const;
  const endpoint = (index: number) => ({
    identifier: `slack-channel-${'i'.repeat(80)}${index}`,
    type: types[index % 3] ?? 'phone',
    target: index % 3 === 2 ? '+14155550100' : `C${index}`,
    subscriberId: `*<!channel>*${'s'.repeat(190)}`,
  });

  it('a delivery report with fifty findings of every kind, and a connection problem', () => {
    const report = {
      context: ['tenant:T1', `region:${'r'.repeat(100)}`],
      connection: { kind: 'context-differs' as const, detail: '<@U1> '.repeat(200) },
      endpoints: 5000,
      findings: Array.from({ length: 50 }, (_, index) => ({
        endpoint: endpoint(index),
        kind: findingKinds[index % findingKinds.length] ?? 'no-phone',
        detail: 'd'.repeat(500),
        phone: '+14155550199',
      })),
      more: 4000,
      checkedAt: 1_700_000_000_000,
    };
    const reply = checkReply({ status: 'done', result: report });
    expect(checkMessage({ text: reply.text, blocks: reply.blocks })).toEqual([]);
    expect(JSON.stringify(reply.blocks)).not.toContain('<!channel>');
  });

  it('every verdict of Test through Novu, as a message and as a modal', () => {
    for (const [index, outcome] of verdicts.entries()) {
      const reply = testResultMessage({
        status: 'done',
        result: {
          verdict: {
            outcome,
            transactionId: 't'.repeat(60),
            slackError: 'not_in_channel',
            error: 'e'.repeat(3000),
            phone: '+14155550199',
            details: ['x'.repeat(900), 'y'],
          },
          endpoint: endpoint(index),
          integration: 'i'.repeat(100),
          channel: index % 2 ? 'sms' : 'chat',
          context: ['tenant:T1'],
        },
      });
      expect(checkMessage({ text: reply.text, blocks: reply.blocks })).toEqual([]);
      expect(checkView(replyView(reply) as never)).toEqual([]);
      expect(JSON.stringify(reply.blocks)).not.toContain('<!channel>');
    }
  });
});

describe('README "What you see"', () => {
  const readme = readFileSync('README.md', 'utf8');
  const table = readme.slice(readme.indexOf('### What you see'));
  const rowOf = (command: string) => table.split('\n').find((line) => line.startsWith(`| \`${command}\``)) ?? '';

  const forms: [string, View][] = [
    ['/connect setup', modals[0]?.[1] as View],
    ['/phone register', modals[1]?.[1] as View],
    ['/phone sip', modals[2]?.[1] as View],
    ['/phone import', modals[3]?.[1] as View],
    ['/connect channel', modals[4]?.[1] as View],
    ['/connect link', modals[5]?.[1] as View],
  ];
  it.each(forms)('names every field of the %s form', (command, view) => {
    const labels = (view.blocks as { type: string; label?: { text: string } }[])
      .filter((block) => block.type === 'input' && block.label && block.label.text !== 'Visibility')
      .map((block) => (block.label?.text ?? '').replace(/ \(.*\)$/, ''));
    const row = rowOf(command);
    expect(row).not.toBe('');
    for (const label of labels) expect(row).toContain(label);
  });

  it('has a row for every subcommand in the catalog', () => {
    for (const command of commandCatalog) {
      for (const sub of command.subcommands.filter((candidate) => candidate.name !== command.defaultSubcommand)) {
        expect(table).toContain(`\`/${command.name} ${sub.name}`);
      }
    }
  });
});
