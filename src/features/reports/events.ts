import { z } from 'zod';
import type { NumberBackend } from '../../store/types.js';

/** What one call or text says, as Switchboard posts it: only the fields the post shows, each bounded. */
export type ReportEvent =
  | {
      kind: 'call';
      callId: string;
      caller?: string;
      endedReason?: string;
      durationSeconds?: number;
      summary?: string;
      recordingUrl?: string;
    }
  | { kind: 'text'; messageSid: string; from: string; to: string; body: string; media: number };

const text = (max: number) =>
  z
    .string()
    .nullish()
    .transform((value) => (value ? value.slice(0, max) : undefined));

/**
 * Vapi's server message (docs.vapi.ai "Server events": `end-of-call-report` carries `endedReason`,
 * the call, the customer, `analysis.summary`, the recording in `artifact`); read leniently, as
 * Vapi adds fields.
 */
const vapiMessage = z.object({
  message: z
    .object({
      type: z.string(),
      call: z
        .object({
          id: z.string().min(1).max(200),
          customer: z
            .object({ number: text(64) })
            .loose()
            .nullish(),
        })
        .loose()
        .nullish(),
      customer: z
        .object({ number: text(64) })
        .loose()
        .nullish(),
      endedReason: text(200),
      durationSeconds: z.number().nonnegative().nullish(),
      startedAt: z.string().nullish(),
      endedAt: z.string().nullish(),
      summary: text(2_500),
      analysis: z
        .object({ summary: text(2_500) })
        .loose()
        .nullish(),
      recordingUrl: text(1_000),
      artifact: z
        .object({ recordingUrl: text(1_000) })
        .loose()
        .nullish(),
    })
    .loose(),
});

/** An end-of-call report; undefined for any other message type (accepted and ignored). Throws on a body that is not Vapi's. */
export function readVapiReport(body: unknown): ReportEvent | undefined {
  const { message } = vapiMessage.parse(body);
  if (message.type !== 'end-of-call-report') return undefined;
  if (!message.call) throw new Error('an end-of-call report without its call');
  const duration =
    message.durationSeconds ??
    (message.startedAt && message.endedAt ? Math.max(0, (Date.parse(message.endedAt) - Date.parse(message.startedAt)) / 1000) : undefined);
  return {
    kind: 'call',
    callId: message.call.id,
    caller: message.customer?.number ?? message.call.customer?.number,
    endedReason: message.endedReason,
    durationSeconds: duration !== undefined && Number.isFinite(duration) ? Math.round(duration) : undefined,
    summary: message.analysis?.summary ?? message.summary,
    recordingUrl: safeLink(message.artifact?.recordingUrl ?? message.recordingUrl),
  };
}

/** Only an https link is shown: anything else in a caller-influenced field is dropped. */
function safeLink(url: string | undefined): string | undefined {
  try {
    return url && new URL(url).protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** An inbound message webhook (LaML, Twilio-compatible form fields). */
const signalWireText = z.object({
  MessageSid: z.string().min(1).max(100),
  From: z.string().max(64).default(''),
  To: z.string().max(64).default(''),
  Body: z.string().default(''),
  NumMedia: z.coerce.number().int().nonnegative().max(100).default(0),
});

export function readSignalWireText(params: URLSearchParams): ReportEvent {
  const read = signalWireText.parse(Object.fromEntries(params));
  return { kind: 'text', messageSid: read.MessageSid, from: read.From, to: read.To, body: read.Body.slice(0, 2_500), media: read.NumMedia };
}

/** Where a number's vendor sends its webhooks: one path per vendor, the number in the query. */
export const reportPaths: Record<NumberBackend, string> = { vapi: '/webhooks/vapi', signalwire: '/webhooks/signalwire' };

export function reportUrl(publicUrl: string, backend: NumberBackend, vendorId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${reportPaths[backend]}?number=${encodeURIComponent(vendorId)}`;
}

/** One post per call or text, however often the vendor sends it. */
export function eventKey(backend: NumberBackend, event: ReportEvent): string {
  return event.kind === 'call' ? `${backend}:call:${event.callId}` : `${backend}:text:${event.messageSid}`;
}
