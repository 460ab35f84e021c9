import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logging/logger.js';
import type { NumberBackend, NumberReport, Store } from '../../store/types.js';
import type { HttpRoutes } from '../feature.js';
import { type ReportEvent, readSignalWireText, readVapiReport, reportPaths } from './events.js';
import type { ReportTargets } from './targets.js';
import { bearerMatches, RateLimit, signalWireSignatureMatches } from './verify.js';

export interface WebhookDeps {
  store: Pick<Store, 'numberReports'>;
  targets: Pick<ReportTargets, 'token'>;
  /** Stores the event once (by its call id or MessageSid) for the job that posts it. */
  keep(report: NumberReport, event: ReportEvent): Promise<void>;
  publicUrl: string;
  signingKey: string | undefined;
  logger: Logger;
}

/** Vapi's end-of-call reports carry the transcript and messages: a long call's is large, but bounded. */
const maxBytes: Record<NumberBackend, number> = { vapi: 1_000_000, signalwire: 32_000 };
/** Per number and minute; a vendor sends one request per call or text. */
const perMinute = 120;

class TooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        return reject(new TooLarge());
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const answer = (res: ServerResponse, status: number, body = '', type = 'text/plain; charset=utf-8') => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
};

/** LaML's empty answer: nothing is sent back to whoever texted. */
const emptyLaml = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * Where Vapi and SignalWire report a number's calls and texts. Each request is verified against
 * the number it names (Vapi: its bearer token, compared in constant time; SignalWire: the space's
 * signature), bounded in size and rate, stored once through the queue, and only then answered.
 */
export function reportWebhooks(deps: WebhookDeps): HttpRoutes {
  const limits = new RateLimit(perMinute, 60_000);
  const reportOf = async (req: IncomingMessage, backend: NumberBackend) => {
    const vendorId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('number');
    return vendorId ? deps.store.numberReports.find(backend, vendorId.slice(0, 200)) : undefined;
  };
  const body = async (req: IncomingMessage, res: ServerResponse, backend: NumberBackend): Promise<string | undefined> => {
    try {
      return await readBody(req, maxBytes[backend]);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      answer(res, 413, 'too large');
      return undefined;
    }
  };

  return {
    [reportPaths.vapi]: async (req, res) => {
      if (req.method !== 'POST') return answer(res, 405);
      const report = await reportOf(req, 'vapi');
      const token = report && deps.targets.token(report);
      if (!report || !token || !bearerMatches(req.headers.authorization, token)) return answer(res, 401, 'unauthorized');
      if (!limits.allows(`vapi:${report.vendorId}`)) return answer(res, 429, 'slow down');
      const text = await body(req, res, 'vapi');
      if (text === undefined) return;
      let event: ReportEvent | undefined;
      try {
        event = readVapiReport(JSON.parse(text));
      } catch {
        return answer(res, 400, 'not a Vapi server message');
      }
      if (event) await deps.keep(report, event);
      answer(res, 200, '{}', 'application/json');
    },
    [reportPaths.signalwire]: async (req, res) => {
      if (req.method !== 'POST') return answer(res, 405);
      const report = await reportOf(req, 'signalwire');
      const text = report && deps.signingKey ? await body(req, res, 'signalwire') : '';
      if (text === undefined) return;
      const params = new URLSearchParams(text);
      const url = `${deps.publicUrl}${req.url ?? ''}`;
      const signature = req.headers['x-signalwire-signature'];
      if (!report || !deps.signingKey || !signalWireSignatureMatches(deps.signingKey, url, params, typeof signature === 'string' ? signature : undefined)) {
        return answer(res, 403, 'forbidden');
      }
      if (!limits.allows(`signalwire:${report.vendorId}`)) return answer(res, 429, 'slow down');
      let event: ReportEvent;
      try {
        event = readSignalWireText(params);
      } catch {
        return answer(res, 400, 'not a message webhook');
      }
      await deps.keep(report, event);
      answer(res, 200, emptyLaml, 'text/xml; charset=utf-8');
    },
  };
}
