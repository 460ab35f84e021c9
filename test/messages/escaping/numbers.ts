import type { ChangeTarget } from '../../../src/features/numbers/change-form.js';
import * as changeForm from '../../../src/features/numbers/change-form.js';
import * as change from '../../../src/features/numbers/change-messages.js';
import type { NumberSettings } from '../../../src/features/numbers/change-model.js';
import * as paging from '../../../src/features/numbers/list-paging.js';
import * as numbers from '../../../src/features/numbers/messages.js';
import type { ReleaseTarget } from '../../../src/features/numbers/release.js';
import * as release from '../../../src/features/numbers/release-messages.js';
import * as sipForm from '../../../src/features/numbers/sip-form.js';
import type { ActivationSettled, Provisioned } from '../../../src/features/numbers/telephony.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { ids, job, origin, signalWireNumber, spaceUrl, vapiNumber, vendorFailure } from './records.js';

const backends = ['vapi', 'signalwire'] as const;

const provisioned = (h: Hostile): Provisioned[] => [
  { backend: 'vapi', number: vapiNumber(h), existing: false },
  { backend: 'vapi', number: { ...vapiNumber(h, 'active'), sipUri: null }, existing: true },
  { backend: 'signalwire', number: signalWireNumber(h), existing: false, report: { channelId: 'C0OPS' } },
  { backend: 'vapi', number: vapiNumber(h), existing: false, report: { channelId: 'C0OPS', problem: h.text() } },
  { backend: 'signalwire', number: { ...signalWireNumber(h), name: null, number_type: 'longcode' }, existing: true },
];

const settled = (h: Hostile): ActivationSettled[] => [
  { state: 'active', number: vapiNumber(h, 'active') },
  { state: 'blocked', number: vapiNumber(h, 'blocked') },
  { state: 'gave-up', number: vapiNumber(h) },
  { state: 'gone' },
  { state: 'unknown', error: vendorFailure(h) },
];

const target = (h: Hostile, owned = true): ReleaseTarget => ({
  backend: owned ? 'vapi' : 'signalwire',
  vendorId: h.text(),
  label: h.text(),
  ...(owned ? { ownerKey: 'team:T1' } : {}),
  endpoints: Array.from({ length: owned ? 22 : 1 }, () => ({ identifier: h.text(), subscriberId: h.text() })),
});

const releaseOutcomes = (h: Hostile) => [
  { status: 'failed' as const, error: vendorFailure(h) },
  ...[1, 12].map((count) => ({
    status: 'done' as const,
    result: {
      target: target(h),
      alreadyGone: count > 1,
      endpointsRemoved: Array.from({ length: count }, () => h.text()),
      endpointsLeft: Array.from({ length: count > 1 ? 7 : 1 }, () => ({ identifier: h.text(), reason: h.text() })),
    },
  })),
];

const overview = (h: Hostile, mayRelease: boolean, mayRegister = false): numbers.NumbersOverview => {
  const registeredNumber = signalWireNumber(h);
  return {
    vapi: [vapiNumber(h), { ...vapiNumber(h), sipUri: null, name: null, status: null }],
    signalwire: [registeredNumber, { ...signalWireNumber(h), name: null }],
    registrations: [{ number: registeredNumber.number, subscriberId: h.text() }],
    owners: new Map([[`vapi:${h.text()}`, h.text()]]),
    mayRelease,
    mayRegister,
  };
};

const changeTarget = (h: Hostile, backend: 'vapi' | 'signalwire' = 'vapi'): ChangeTarget => ({ backend, vendorId: h.text(), label: h.text() });

const settings = (h: Hostile): NumberSettings[] => [
  {
    backend: 'vapi',
    answeredBy: 'assistant',
    answerer: { id: h.text(), name: h.text() },
    serverUrl: h.text(),
    serverTimeout: 20,
    fallback: { to: h.text(), extension: h.text(), message: h.text() },
    ringing: 'say',
    ending: 'transfer',
    hookMessage: h.text(),
  },
  { backend: 'vapi', answeredBy: 'workflow', answerer: { id: h.text() }, ringing: 'none', ending: 'none' },
  { backend: 'signalwire', callHandler: 'laml_webhooks', callTo: h.text(), messageHandler: 'relay_topic', messageTo: h.text() },
  { backend: 'signalwire' },
];

const changeLines = (h: Hostile) => [
  { label: h.text(), before: h.text(), after: h.text() },
  { label: 'Answered by', before: h.text(), after: h.text() },
];

export const numberCoverage: ModuleCoverage[] = [
  {
    path: 'features/numbers/change-messages.ts',
    module: change,
    builders: {
      changeLines: (h) => [change.changeLines(changeLines(h))],
      changeConfirmModal: (h) =>
        [true, false].map((asking) => change.changeConfirmModal(changeTarget(h), { before: settings(h)[0]!, after: settings(h)[1]! }, changeLines(h), asking)),
      changingView: (h) => [change.changingView(changeTarget(h), changeLines(h)), change.changingView(changeTarget(h, 'signalwire'), [])],
      changeResultView: (h) => [
        change.changeResultView(changeTarget(h), changeLines(h), { status: 'done', job, result: { target: changeTarget(h), lines: changeLines(h) } }),
        change.changeResultView(changeTarget(h), changeLines(h), { status: 'failed', job, error: h.text() }),
        change.changeResultView(changeTarget(h), changeLines(h), { status: 'queued', job, lastError: h.text() }),
      ],
      changedMessage: (h) => [
        change.changedMessage(changeTarget(h), changeLines(h), { status: 'done', result: { target: changeTarget(h), lines: changeLines(h) } }),
        change.changedMessage(changeTarget(h, 'signalwire'), changeLines(h), { status: 'failed', error: h.text() }),
      ],
      changeUnavailableView: (h) => [change.changeUnavailableView(changeTarget(h), h.text())],
    },
    notBuilders: { changeButton: 'a button: plain text only' },
  },
  {
    path: 'features/numbers/change-form.ts',
    module: changeForm,
    only: true,
    builders: {
      changeModal: (h) =>
        settings(h).flatMap((before) => [true, false].map((asking) => changeForm.changeModal(changeTarget(h, before.backend), before, asking))),
    },
  },
  {
    path: 'features/numbers/messages.ts',
    module: numbers,
    builders: {
      provisioningView: () => backends.map(numbers.provisioningView),
      provisionedView: (h) => provisioned(h).map((result) => numbers.provisionedView(result, { password: h.text(), warning: h.text(), spaceUrl })),
      provisionFailedView: (h) =>
        backends.flatMap((backend) => [numbers.provisionFailedView(backend, h.text()), numbers.provisionFailedView(backend, vendorFailure(h))]),
      provisionQueuedView: (h) =>
        backends.flatMap((backend) => [numbers.provisionQueuedView(backend, vendorFailure(h)), numbers.provisionQueuedView(backend, undefined)]),
      provisionedMessage: (h) => [
        ...provisioned(h).map((result) => numbers.provisionedMessage(result.backend, { status: 'done', result })),
        numbers.provisionedMessage('vapi', { status: 'failed', error: vendorFailure(h) }),
      ],
      provisionedSharedMessage: (h) =>
        provisioned(h).flatMap((result) => [numbers.provisionedSharedMessage(ids.user, result), numbers.provisionedSharedMessage(h.text(), result)]),
      activationMessage: (h) => settled(h).map((state) => numbers.activationMessage(h.text(), state)),
      activationView: (h) => [
        numbers.activationView({ state: 'active', number: vapiNumber(h, 'active') }),
        numbers.activationView({ state: 'blocked', number: vapiNumber(h, 'blocked') }),
      ],
      numbersMessage: (h) => [
        numbers.numbersMessage(overview(h, true)),
        numbers.numbersMessage(overview(h, false)),
        numbers.numbersMessage(overview(h, true, true)),
        numbers.numbersMessage(overview(h, false, true)),
        numbers.numbersMessage({ vapi: { error: vendorFailure(h) }, signalwire: [], registrations: [], mayRelease: false }),
        numbers.numbersMessage({
          ...overview(h, true),
          notes: { vapi: { read: 100, error: h.text() }, signalwire: { read: 1_000, more: 'unknown' } },
          part: { backend: 'vapi', from: 1 },
        }),
        numbers.numbersMessage({ ...overview(h, true), mayReport: true, reports: new Map([[`vapi:${h.text()}`, ids.channel]]) }),
      ],
    },
  },
  {
    path: 'features/numbers/list-paging.ts',
    module: paging,
    only: true,
    builders: {
      moreBlock: () =>
        backends.flatMap((backend) => [
          paging.moreBlock(backend, { from: 0, to: 20, total: 250 }),
          paging.moreBlock(backend, { from: 240, to: 250, total: 250 }),
        ]),
      noteBlocks: (h) =>
        backends.flatMap((backend) =>
          [
            { read: 100, error: h.text() },
            { read: 1_000, more: 50 },
            { read: 1_000, more: 'unknown' as const },
            { read: 1_000, more: 'unknown' as const, missing: 1 },
            { read: 1_000, more: 'unknown' as const, missing: 3 },
          ].map((note) => paging.noteBlocks(backend, note)),
        ),
    },
  },
  {
    path: 'features/numbers/release-messages.ts',
    module: release,
    builders: {
      releaseConfirmModal: (h) => [release.releaseConfirmModal(target(h)), release.releaseConfirmModal(target(h, false))],
      releasingView: (h) => [release.releasingView(target(h))],
      releaseResultView: (h) => [
        ...releaseOutcomes(h).map((outcome) => release.releaseResultView(target(h), { ...outcome, job })),
        release.releaseResultView(target(h), { status: 'queued', job, lastError: vendorFailure(h) }),
      ],
      releasedMessage: (h) => releaseOutcomes(h).map((outcome) => release.releasedMessage(target(h), outcome)),
    },
    notBuilders: { releaseButton: 'a button: plain text only', readReleaseButton: 'reads a button, builds nothing' },
  },
  {
    path: 'features/numbers/sip-form.ts',
    module: sipForm,
    only: true,
    builders: {
      // Every layout: each kind, with and without sign-in, each answerer, More options closed and open.
      sipModal: (h) =>
        (['assistant', 'squad', 'workflow', 'server'] as const).flatMap((answeredBy) =>
          [
            { kind: 'free' as const, more: false },
            { kind: 'sip' as const, login: true, more: true },
          ].map((choices) =>
            sipForm.sipModal(
              {
                origin,
                ...choices,
                answeredBy,
                name: h.text(),
                areaCode: h.text(),
                sipUser: h.text(),
                username: h.text(),
                assistant: { id: h.text(), label: h.text() },
                squad: { id: h.text(), label: h.text() },
                workflow: h.text(),
                serverUrl: choices.more ? h.text() : undefined,
                fallback: choices.more ? h.text() : undefined,
              },
              h.text(),
            ),
          ),
        ),
    },
  },
];
