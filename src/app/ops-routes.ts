import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/types.js';
import type { RouteHandler } from './http-server.js';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Who may read /metrics where it is served. */
export interface MetricsAccess {
  token?: string;
  /** Production serves no metrics on the public port without a token. */
  requireToken: boolean;
}

/** Compares digests, so the time taken says nothing about how much of the token was right. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}

/** Prometheus text, behind the token when there is one. */
export function serveMetrics(metrics: Metrics, access: MetricsAccess): RouteHandler {
  return (req, res) => {
    if (access.token && !tokenMatches(req.headers.authorization, access.token)) return json(res, 401, { error: 'unauthorized' });
    if (!access.token && access.requireToken) {
      return json(res, 403, { error: 'metrics are not served here in production without METRICS_TOKEN; set METRICS_TOKEN or METRICS_PORT' });
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      },
      () => json(res, 500, { error: 'metrics unavailable' }),
    );
  };
}

/**
 * `/healthz` (the process answers), `/readyz` (the store answers and nothing holds readiness back:
 * `notReady` says why, e.g. shutting down, or Socket Mode not connected yet), and `/metrics` unless
 * it has a port of its own (METRICS_PORT: then `metricsAccess` is undefined).
 */
export function opsRoutes(store: Store, notReady: () => string | undefined, metrics: Metrics, metricsAccess?: MetricsAccess): Record<string, RouteHandler> {
  const routes: Record<string, RouteHandler> = {
    '/healthz': (_req, res) => json(res, 200, { status: 'ok' }),
    '/readyz': async (_req, res) => {
      const reason = notReady();
      if (reason) return json(res, 503, { status: reason });
      const timeout = new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('store did not answer within 2 s')), 2_000).unref());
      await Promise.race([store.ping(), timeout]).then(
        () => json(res, 200, { status: 'ready', store: store.engine }),
        (error: Error) => json(res, 503, { status: 'store unreachable', store: store.engine, error: error.message }),
      );
    },
  };
  if (metricsAccess) routes['/metrics'] = serveMetrics(metrics, metricsAccess);
  return routes;
}
