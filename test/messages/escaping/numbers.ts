import * as numbers from '../../../src/features/numbers/messages.js';
import type { ReleaseTarget } from '../../../src/features/numbers/release.js';
import * as release from '../../../src/features/numbers/release-messages.js';
import * as sipForm from '../../../src/features/numbers/sip-form.js';
import type { ActivationSettled, Provisioned } from '../../../src/features/numbers/telephony.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { ids, job, origin, signalWireNumber, spaceUrl, vapiNumber } from './records.js';

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
  { state: 'unknown', error: h.text() },
];

const target = (h: Hostile, owned = true): ReleaseTarget => ({
  backend: owned ? 'vapi' : 'signalwire',
  vendorId: h.text(),
  label: h.text(),
  ...(owned ? { ownerKey: 'team:T1' } : {}),
  endpoints: Array.from({ length: owned ? 22 : 1 }, () => ({ identifier: h.text(), subscriberId: h.text() })),
});

const releaseOutcomes = (h: Hostile) => [
  { status: 'failed' as const, error: h.text() },
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

const overview = (h: Hostile, mayRelease: boolean): numbers.NumbersOverview => ({
  vapi: [vapiNumber(h), { ...vapiNumber(h), sipUri: null, name: null, status: null }],
  signalwire: [signalWireNumber(h), { ...signalWireNumber(h), name: null }],
  registrations: [{ number: h.text(), subscriberId: h.text() }],
  owners: new Map([[`vapi:${h.text()}`, h.text()]]),
  mayRelease,
});

export const numberCoverage: ModuleCoverage[] = [
  {
    path: 'features/numbers/messages.ts',
    module: numbers,
    builders: {
      provisioningView: () => backends.map(numbers.provisioningView),
      provisionedView: (h) => provisioned(h).map((result) => numbers.provisionedView(result, { password: h.text(), warning: h.text(), spaceUrl })),
      provisionFailedView: (h) => backends.map((backend) => numbers.provisionFailedView(backend, h.text())),
      provisionQueuedView: (h) =>
        backends.flatMap((backend) => [numbers.provisionQueuedView(backend, h.text()), numbers.provisionQueuedView(backend, undefined)]),
      provisionedMessage: (h) => [
        ...provisioned(h).map((result) => numbers.provisionedMessage(result.backend, { status: 'done', result })),
        numbers.provisionedMessage('vapi', { status: 'failed', error: h.text() }),
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
        numbers.numbersMessage({ ...overview(h, true), mayReport: true, reports: new Map([[`vapi:${h.text()}`, ids.channel]]) }),
        numbers.numbersMessage({ vapi: { error: h.text() }, signalwire: [], registrations: [], mayRelease: false }),
      ],
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
        release.releaseResultView(target(h), { status: 'queued', job, lastError: h.text() }),
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
