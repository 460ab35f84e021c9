import type { ReportEvent } from '../../../src/features/reports/events.js';
import * as reports from '../../../src/features/reports/messages.js';
import type { SetReportPayload } from '../../../src/features/reports/report-jobs.js';
import type { OwnedNumber, UnpostedReport } from '../../../src/store/types.js';
import type { Hostile, ModuleCoverage } from './kit.js';
import { at, ids } from './records.js';

/** Everything a caller says or sends is hostile here: their number, their words, the summary of the call. */
const events = (h: Hostile): ReportEvent[] => [
  {
    kind: 'call',
    callId: h.text(),
    caller: h.text(),
    endedReason: h.text(),
    durationSeconds: 95,
    summary: h.text(),
    recordingUrl: 'https://storage.vapi.ai/recording.wav',
  },
  { kind: 'call', callId: h.text(), endedReason: 'customer-ended-call', durationSeconds: 12 },
  { kind: 'text', messageSid: h.text(), from: h.text(), to: h.text(), body: h.text(), media: 2 },
  { kind: 'text', messageSid: h.text(), from: '', to: h.text(), body: '', media: 0 },
];

const number = (h: Hostile): OwnedNumber => ({
  backend: 'vapi',
  vendorId: h.text(),
  workspaceKey: 'team:T1',
  number: h.text(),
  sipUri: null,
  name: h.text(),
  status: 'active',
  createdBy: ids.user,
  createdAt: at,
  updatedAt: at,
});

const payload = (h: Hostile): SetReportPayload => ({
  workspaceKey: 'team:T1',
  requestedBy: ids.user,
  backend: 'vapi',
  vendorId: h.text(),
  channelId: ids.channel,
  label: h.text(),
});

const unposted = (h: Hostile, kind: 'call' | 'text'): UnpostedReport => ({
  eventKey: h.text(),
  workspaceKey: 'team:T1',
  backend: kind === 'call' ? 'vapi' : 'signalwire',
  vendorId: h.text(),
  channelId: ids.channel,
  reason: kind === 'call' ? 'is_archived' : h.text(),
  event: { kind },
  createdAt: at,
});

const outcomes = (h: Hostile) => [
  { status: 'done' as const, result: { channelId: ids.channel } },
  { status: 'failed' as const, error: h.text() },
];

const message = (h: Hostile) =>
  events(h).flatMap((event) => [reports.reportMessage(event, number(h), h.text()), reports.reportMessage(event, undefined, h.text())]);

export const reportCoverage: ModuleCoverage[] = [
  {
    path: 'features/reports/messages.ts',
    module: reports,
    builders: {
      reportMessage: message,
      cannotPostMessage: (h) => ['not_in_channel', 'is_archived', h.text()].map((reason) => reports.cannotPostMessage(ids.channel, reason, h.text())),
      reportSetMessage: (h) => outcomes(h).map((outcome) => reports.reportSetMessage(payload(h), outcome)),
      reportModal: (h) => [
        reports.reportModal({ backend: 'vapi', vendorId: h.text(), label: h.text() }, ids.channel),
        reports.reportModal({ backend: 'signalwire', vendorId: h.text(), label: h.text() }),
      ],
      reportSavedView: (h) => [
        reports.reportSavedView(h.text(), undefined, ids.channel),
        ...outcomes(h).map((outcome) => reports.reportSavedView(h.text(), outcome, ids.channel)),
      ],
      unpostedSection: (h) => [reports.unpostedSection(0, []), reports.unpostedSection(3, [unposted(h, 'call'), unposted(h, 'text')])],
    },
    tables: {
      reportNotes: (h) => [
        ...events(h).map((event) => reports.reportNotes.report(event, number(h), h.text())),
        reports.reportNotes.cannotPost(ids.channel, h.text(), h.text()),
        ...outcomes(h).map((outcome) => reports.reportNotes.reportSet(payload(h), outcome)),
      ],
    },
    notBuilders: {
      reportButton: 'a button: plain text only',
      reportChannelInput: 'a picker: plain text only',
      readReportButton: 'reads a button, builds nothing',
    },
  },
];
