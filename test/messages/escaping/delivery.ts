import * as health from '../../../src/features/delivery/health-messages.js';
import * as delivery from '../../../src/features/delivery/messages.js';
import type { ConnectionFinding, DeliveryReport, EndpointFinding, TestResult } from '../../../src/features/delivery/model.js';
import * as tests from '../../../src/features/delivery/test-messages.js';
import type { VerdictOutcome } from '../../../src/features/delivery/verdict.js';
import { md } from '../../../src/slack/mrkdwn.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { at, label, labels, vendorFailure } from './records.js';

const connectionKinds: ConnectionFinding['kind'][] = [
  'not-connected',
  'in-progress',
  'write-failed',
  'missing-in-novu',
  'context-differs',
  'other-workspace',
  'integration-inactive',
  'token-refused',
];
export const findingKinds: EndpointFinding['kind'][] = [
  'missing-in-novu',
  'context-differs',
  'connection-differs',
  'integration-inactive',
  'channel-archived',
  'channel-not-visible',
  'not-in-channel',
  'person-gone',
  'subscriber-gone',
  'no-phone',
  'other-phone',
];
export const verdicts: VerdictOutcome[] = [
  'delivered',
  'no-route',
  'not-selected',
  'no-connection',
  'token-refused',
  'slack-refused',
  'provider-error',
  'integration-inactive',
  'no-phone',
  'other-phone',
  'not-processed',
  'trigger-refused',
];

const keys = (h: Hostile) => [`tenant:${h.text()}`, `${h.text()}:${h.text()}`];

const reports = (h: Hostile): DeliveryReport[] =>
  connectionKinds.map((kind, index) => ({
    context: keys(h),
    connection: { kind, detail: h.text() },
    endpoints: 40,
    findings: findingKinds.map((finding, offset) => ({
      endpoint: labels(h)[(index + offset) % 5] ?? label(h, 'phone'),
      kind: finding,
      detail: h.text(),
      phone: h.text(),
    })),
    more: index,
    checkedAt: at,
  }));

const testResults = (h: Hostile): TestResult[] =>
  verdicts.flatMap((outcome) =>
    labels(h).map((endpoint, index) => ({
      verdict: { outcome, transactionId: h.text(), slackError: h.text(), error: h.text(), phone: h.text(), details: [h.text(), h.text()] },
      endpoint,
      integration: h.text(),
      channel: index % 2 ? ('sms' as const) : ('chat' as const),
      context: keys(h),
    })),
  );

export const deliveryCoverage: ModuleCoverage[] = [
  {
    path: 'features/delivery/messages.ts',
    module: delivery,
    builders: {
      describeEndpoint: (h) => labels(h).map(delivery.describeEndpoint),
      endpointLines: (h) => [delivery.endpointLines(labels(h), 3, () => md`${h.text()}`)],
      triggerContextLine: (h) => [delivery.triggerContextLine(keys(h))],
      movedDirectMessage: (h) => [
        delivery.movedDirectMessage({
          status: 'done',
          result: { context: keys(h), moved: labels(h), failed: labels(h).map((endpoint) => ({ ...endpoint, reason: h.text() })), inScope: 2 },
        }),
        delivery.movedDirectMessage({ status: 'done', result: { context: keys(h), moved: [], failed: [], inScope: 0 } }),
        delivery.movedDirectMessage({ status: 'failed', error: vendorFailure(h) }),
      ],
      notSavedReply: (h) => [delivery.notSavedReply('Delivery check', h.text())],
    },
    notBuilders: { contextJson: 'JSON, which the builders put in code' },
  },
  {
    path: 'features/delivery/health-messages.ts',
    module: health,
    builders: {
      checkingReply: () => [health.checkingReply()],
      checkReply: (h) => [
        ...reports(h).map((result) => health.checkReply({ status: 'done', result })),
        health.checkReply({ status: 'failed', error: vendorFailure(h) }),
      ],
      summaryText: (h) => reports(h).map(health.summaryText),
      reportBlocks: (h) => reports(h).map(health.reportBlocks),
    },
  },
  {
    path: 'features/delivery/test-messages.ts',
    module: tests,
    builders: {
      testingReply: (h) => labels(h).map(tests.testingReply),
      alreadyTestingReply: () => [tests.alreadyTestingReply()],
      notYoursReply: () => [tests.notYoursReply()],
      testResultMessage: (h) => [
        ...testResults(h).map((result) => tests.testResultMessage({ status: 'done', result })),
        tests.testResultMessage({ status: 'failed', error: vendorFailure(h) }),
      ],
    },
  },
];
