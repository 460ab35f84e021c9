import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Logger, requestContext } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';

/**
 * Every answer — install pages, result pages, JSON — is sent with headers that stop it being
 * framed, sniffed or leaking the URL it came from; pages may use their own inline styles and nothing else.
 */
const securityHeaders = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/** A route's handler; a promise it returns is awaited, and a failure becomes a logged 500, never a crash. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const maxClockSkewSeconds = 300;

function isFromTheFuture(header: string | string[] | undefined): boolean {
  const timestamp = Number(typeof header === 'string' ? header : undefined);
  return Number.isFinite(timestamp) && timestamp > Date.now() / 1000 + maxClockSkewSeconds;
}

/**
 * The HTTP server in front of Bolt's receiver: one request id per request (echoed as
 * `x-request-id`), request counts by route, and a shutdown that drains instead of cutting off.
 */
export function createHttpServer(routes: Record<string, RouteHandler>, logger: Logger, metrics: Metrics) {
  let active = 0;
  let drained: (() => void) | undefined;

  const server = createServer((req, res) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = Object.hasOwn(routes, path) ? routes[path] : undefined;
    active += 1;
    res.on('close', () => {
      metrics.httpRequests.inc({ route: handler ? path : 'other', status: String(res.statusCode) });
      active -= 1;
      if (active === 0) drained?.();
    });
    requestContext.run({ requestId }, () => serve(req, res, path, handler, logger));
  });
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen: (port: number) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes what is left. */
    async close(graceMs: number) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

function serve(req: IncomingMessage, res: ServerResponse, path: string, handler: RouteHandler | undefined, logger: Logger): void {
  if (path === '/slack/events' && isFromTheFuture(req.headers['x-slack-request-timestamp'])) {
    // Bolt refuses timestamps over five minutes old; one over five minutes ahead is no better.
    res.writeHead(401, { 'content-type': 'text/plain' }).end('stale or future request timestamp');
    return;
  }
  if (!handler) {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
    return;
  }
  Promise.resolve()
    .then(() => handler(req, res))
    .catch((error: unknown) => {
      logger.error({ err: error, path }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Switchboard could not answer this request. Please try again.');
    });
}
