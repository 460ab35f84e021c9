import * as runMessage from '../../../src/features/bulk/run-message.js';
import * as bulk from '../../../src/features/phone/bulk/messages.js';
import type { RegisterResult } from '../../../src/features/phone/endpoint-jobs.js';
import * as phone from '../../../src/features/phone/messages.js';
import { md } from '../../../src/slack/mrkdwn.js';
import type { ImportRow, PhoneImport } from '../../../src/store/types.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { at, channelEndpoint, ids, installUrl, origin, phoneBody, vendorFailure } from './records.js';

const registered = (h: Hostile): RegisterResult[] => [
  { endpoint: channelEndpoint(h), existing: false, phone: { kind: 'set' } },
  { endpoint: channelEndpoint(h), existing: true, phone: { kind: 'same' } },
  { endpoint: channelEndpoint(h), existing: false, phone: { kind: 'kept', current: h.text() } },
  { endpoint: { ...channelEndpoint(h), endpoint: null }, existing: false },
];

const removals = (h: Hostile) => [
  { status: 'done' as const, result: { identifier: h.text(), alreadyGone: true } },
  { status: 'done' as const, result: { identifier: h.text(), alreadyGone: false } },
  { status: 'failed' as const, error: vendorFailure(h) },
];

const importRun = (h: Hostile, status: PhoneImport['status']): PhoneImport => ({
  id: h.text(),
  workspaceKey: 'team:T1',
  requestedBy: ids.user,
  status,
  fileId: 'F1',
  fileName: h.text(),
  defaultIntegration: h.text(),
  confirmedBy: null,
  channelId: null,
  messageTs: null,
  error: h.text(),
  createdAt: at,
  updatedAt: at,
});

const row = (h: Hostile): ImportRow => ({
  rowNumber: 2,
  subscriberId: h.text(),
  phone: h.text(),
  integration: h.text(),
  identifier: h.text(),
  state: 'problem',
  problem: 'number',
  detail: h.text(),
});

const runStatuses = ['reading', 'planned', 'registering', 'done', 'cancelled', 'failed'] as const;
const counts = (failed: number) => ({ ready: 3, problem: 12, 'already-registered': 1, created: 2, existing: 1, failed });

export const phoneCoverage: ModuleCoverage[] = [
  {
    path: 'features/phone/messages.ts',
    module: phone,
    builders: {
      registerModal: (h) => [
        phone.registerModal(
          { subscriberId: h.text(), number: h.text(), integration: h.text(), origin, problem: { field: 'number', text: h.text() } },
          h.text(),
        ),
        phone.registerModal({ problem: { text: vendorFailure(h) } }, 'US'),
      ],
      registeringView: () => [phone.registeringView()],
      registeredView: (h) => registered(h).flatMap((result) => [phone.registeredView(result, phoneBody(h)), phone.registeredView(result, phoneBody(h), false)]),
      stillWorkingView: (h) => [phone.stillWorkingView(vendorFailure(h)), phone.stillWorkingView(undefined)],
      endpointRegisteredMessage: (h) => [
        ...registered(h).map((result) => phone.endpointRegisteredMessage(phoneBody(h), { status: 'done', result })),
        phone.endpointRegisteredMessage(phoneBody(h), { status: 'failed', error: vendorFailure(h) }),
      ],
      endpointSharedMessage: (h) => [
        phone.endpointSharedMessage(ids.user, registered(h)[0] as RegisterResult, phoneBody(h)),
        phone.endpointSharedMessage(h.text(), registered(h)[1] as RegisterResult, phoneBody(h)),
      ],
      endpointDeletedMessage: (h) => removals(h).map((outcome) => phone.endpointDeletedMessage(h.text(), outcome)),
      removalResult: (h) => [...removals(h), { status: 'queued' as const }].map((outcome) => phone.removalResult(h.text(), outcome)),
      removeConfirm: (h) => [phone.removeConfirm(h.text())],
      listUsage: () => [phone.listUsage()],
      removeUsage: (h) => [phone.removeUsage(h.text()), phone.removeUsage()],
      removePrompt: (h) => [phone.removePrompt(h.text())],
      endpointListMessage: (h) => [
        phone.endpointListMessage({
          endpoints: [channelEndpoint(h), { ...channelEndpoint(h), endpoint: null, subscriberId: null }],
          subscriberId: h.text(),
          next: h.text(),
          pageNumber: 2,
        }),
        phone.endpointListMessage({ endpoints: [], subscriberId: h.text(), pageNumber: 1 }),
        phone.endpointListMessage({ endpoints: [], pageNumber: 1 }),
      ],
    },
  },
  {
    path: 'features/phone/bulk/messages.ts',
    module: bulk,
    builders: {
      importModal: (h) => [bulk.importModal(h.text(), { maxRows: 5000 })],
      reinstallView: (h) => [bulk.reinstallView([h.text(), h.text()], installUrl), bulk.reinstallView([h.text()], h.text())],
      checkingFileView: (h) => [bulk.checkingFileView(h.text())],
      noSuchImportMessage: () => [bulk.noSuchImportMessage()],
      importRunMessage: (h) =>
        runStatuses.flatMap((status) => [
          bulk.importRunMessage(importRun(h, status), counts(2), { problems: { number: 2, duplicate: 1 }, firstProblems: [row(h), row(h)], keptPhones: 2 }),
          bulk.importRunMessage(importRun(h, status), { ...counts(0), ready: 0, problem: 0 }),
        ]),
    },
    tables: {
      // The summary files' comments and "could not send" messages.
      importFiles: (h) =>
        Object.values(bulk.importFiles).flatMap((file) => [file.comment(importRun(h, 'done'), 3), file.notSent(importRun(h, 'planned'), vendorFailure(h))]),
    },
    notBuilders: {
      rowsNotQueuedError: 'a run error, escaped where it is shown',
      shownFileName: 'a plain file name',
    },
  },
  {
    // Found by its exports, not its name: the bulk engine's run message pieces.
    path: 'features/bulk/run-message.ts',
    module: runMessage,
    only: true,
    builders: {
      confirmBlock: (h) =>
        [2, 0].map((count) =>
          runMessage.confirmBlock(
            h.text(),
            { block: 'b', apply: 'a', cancel: 'c' },
            { count, label: h.text(), title: h.text(), text: md`Go ${h.text()}`, confirm: 'Go', nothing: md`None ${h.text()}` },
          ),
        ),
    },
  },
];
