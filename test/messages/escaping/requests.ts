import type { PendingNumberRequest, ProvisionProgress } from '../../../src/features/numbers/request-messages.js';
import * as requests from '../../../src/features/numbers/request-messages.js';
import type { RequestedNumber } from '../../../src/features/numbers/request-payload.js';
import * as sipForm from '../../../src/features/numbers/sip-form.js';
import { md } from '../../../src/slack/mrkdwn.js';
import type { NumberRequest } from '../../../src/store/types.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { at, origin, userOr, vendorFailure } from './records.js';

const statuses = ['pending', 'approved', 'denied', 'expired'] as const;

export const numberRequest = (h: Hostile, status: NumberRequest['status'], validIds = true): NumberRequest => ({
  id: h.text(),
  workspaceKey: 'team:T1',
  requestedBy: userOr(h, validIds),
  backend: 'vapi',
  payload: {},
  status,
  requestedAt: at,
  expiresAt: at,
  decidedBy: userOr(h, validIds),
  decidedAt: at,
});

/** Every way a request reads: SIP or free number, each kind of answerer, and an import. */
export const requestedNumbers = (h: Hostile): RequestedNumber[] => [
  {
    backend: 'vapi',
    body: {
      provider: 'vapi',
      name: h.text(),
      sipUri: h.text(),
      assistantId: h.text(),
      authentication: { username: h.text(), sealedPassword: h.text() },
      fallbackDestination: { type: 'number', number: h.text() },
    },
  },
  { backend: 'vapi', body: { provider: 'vapi', name: h.text(), numberDesiredAreaCode: h.text(), squadId: h.text() } },
  { backend: 'vapi', body: { provider: 'vapi', name: h.text(), workflowId: h.text() } },
  { backend: 'vapi', body: { provider: 'vapi', name: h.text(), server: { url: h.text() } } },
  { backend: 'signalwire', body: { number: h.text(), number_type: 'tollfree', capabilities: ['sms'] }, name: h.text() },
];

export const pendingNumberRequests = (h: Hostile): PendingNumberRequest[] =>
  requestedNumbers(h).map((requested, index) => ({ request: numberRequest(h, 'pending', index % 2 === 0), requested, tenant: h.text() }));

const progresses = (h: Hostile): (ProvisionProgress | undefined)[] => [
  undefined,
  { state: 'running' },
  { state: 'done', number: h.text(), vendorId: h.text() },
  { state: 'failed', error: vendorFailure(h) },
  { state: 'queued' },
];

const decided = (h: Hostile) =>
  statuses.flatMap((status) =>
    progresses(h).map((progress, index) =>
      requests.decidedRequestText(numberRequest(h, status, index % 2 === 0), requestedNumbers(h)[index] as RequestedNumber, h.text(), progress),
    ),
  );

export const requestCoverage: ModuleCoverage[] = [
  {
    path: 'features/numbers/request-messages.ts',
    module: requests,
    builders: {
      asRequestForm: (h) => [requests.asRequestForm(sipForm.sipModal({ origin, name: h.text() }, h.text()), 'vapi')],
      requestedNumberLine: (h) => requestedNumbers(h).map(requests.requestedNumberLine),
      requestSentView: (h) => requestedNumbers(h).map((requested) => requests.requestSentView(requested, at, { password: h.text(), warning: h.text() })),
      numberRequestMessage: (h) => requestedNumbers(h).map((requested) => requests.numberRequestMessage(numberRequest(h, 'pending'), requested, h.text())),
      numberRequestsSection: (h) => [requests.numberRequestsSection(pendingNumberRequests(h))],
      homeWithDecision: (h) => {
        const pending = pendingNumberRequests(h);
        const request = pending[0]?.request ?? numberRequest(h, 'approved');
        return [requests.homeWithDecision(requests.numberRequestsSection(pending), request, md`${h.text()}`)];
      },
      decidedRequestText: decided,
      requesterDecisionMessage: (h) =>
        statuses.flatMap((status) =>
          requestedNumbers(h).map((requested) => requests.requesterDecisionMessage(numberRequest(h, status, status !== 'denied'), requested, 24)),
        ),
    },
    notBuilders: { isRequestForm: 'reads a form, builds nothing' },
  },
];
