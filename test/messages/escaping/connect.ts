import type { SyncResult } from '../../../src/features/connect/connection-jobs.js';
import * as connect from '../../../src/features/connect/messages.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { audit, connection, ids, labels, origin, vendorFailure } from './records.js';

const actions = ['created', 'updated', 'adopted', 'replaced', 'superseded'] as const;

const synced = (h: Hostile, action: SyncResult['action'] = 'replaced'): SyncResult => ({
  identifier: h.text(),
  integrationIdentifier: h.text(),
  action,
  context: [`tenant:${h.text()}`, `${h.text()}:${h.text()}`],
  moving: { count: 12, sample: labels(h) },
});

const settings = (h: Hostile) => ({ integrationIdentifier: h.text(), mode: 'subscriber' as const, context: { tenant: h.text() }, subscriberId: h.text() });

export const connectCoverage: ModuleCoverage[] = [
  {
    path: 'features/connect/messages.ts',
    module: connect,
    builders: {
      connectionCard: (h) => [connect.connectionCard(h.text(), connection(h), true, [h.text()]), connect.connectionCard(h.text(), undefined, false, [])],
      disconnectConfirm: (h) => [connect.disconnectConfirm(h.text())],
      disconnectPrompt: (h) => [connect.disconnectPrompt(connection(h)), connect.disconnectPrompt(undefined)],
      disconnectResult: (h) => [
        connect.disconnectResult({ status: 'done', result: { identifier: h.text(), alreadyGone: true } }),
        connect.disconnectResult({ status: 'done', result: { identifier: h.text(), alreadyGone: false } }),
        connect.disconnectResult({ status: 'failed', error: h.text() }),
        connect.disconnectResult({ status: 'failed', error: vendorFailure(h) }),
        connect.disconnectResult({ status: 'queued' }),
      ],
      reconnectResult: (h) => [
        connect.reconnectResult({ status: 'done', result: synced(h) }),
        connect.reconnectResult({ status: 'failed', error: vendorFailure(h) }),
        connect.reconnectResult({ status: 'queued' }),
      ],
      setupModal: (h) => [
        connect.setupModal(settings(h), { tenantEntry: h.text(), tenantSubscriber: h.text(), canChooseScope: true }, { routes: 3, phones: 1 }, origin),
        connect.setupModal(undefined, { tenantEntry: h.text(), tenantSubscriber: h.text(), canChooseScope: false }, { routes: 0, phones: 0 }),
      ],
      workingView: (h) => [connect.workingView(h.text(), h.text())],
      setupResultView: (h) => [
        ...actions.map((action) => connect.setupResultView({ status: 'done', result: synced(h, action) })),
        connect.setupResultView({ status: 'done', result: synced(h, 'created') }, { route: true }),
        connect.setupResultView({ status: 'failed', error: h.text() }),
        connect.setupResultView({ status: 'failed', error: vendorFailure(h) }),
        connect.setupResultView({ status: 'queued', lastError: vendorFailure(h) }),
      ],
      connectionSharedMessage: (h) => [connect.connectionSharedMessage(ids.user, synced(h)), connect.connectionSharedMessage(h.text(), synced(h))],
      connectionSyncedMessage: (h) => [
        connect.connectionSyncedMessage({ status: 'done', result: synced(h) }, 3),
        connect.connectionSyncedMessage({ status: 'failed', error: vendorFailure(h) }, 1),
      ],
      connectionDeletedMessage: (h) => [
        connect.connectionDeletedMessage({ status: 'done', result: { identifier: h.text(), alreadyGone: false } }),
        connect.connectionDeletedMessage({ status: 'failed', error: vendorFailure(h) }),
      ],
      auditListMessage: (h) => [connect.auditListMessage([audit(h), audit(h, false)]), connect.auditListMessage([])],
    },
  },
];
