import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/types.js';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** `/healthz` (the process answers), `/readyz` (the store answers), `/metrics` (Prometheus). */
export function opsRoutes({
  store,
  metrics,
  metricsToken,
  isShuttingDown,
}: {
  store: Store;
  metrics: Metrics;
  metricsToken?: string;
  isShuttingDown: () => boolean;
}): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => json(res, 200, { status: 'ok' }),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        if (isShuttingDown()) return json(res, 503, { status: 'shutting down' });
        const timeout = new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('store did not answer within 2 s')), 2_000).unref());
        Promise.race([store.ping(), timeout]).then(
          () => json(res, 200, { status: 'ready', store: store.engine }),
          (error: Error) => json(res, 503, { status: 'store unreachable', store: store.engine, error: error.message }),
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (req: IncomingMessage, res) => {
        if (metricsToken && req.headers.authorization !== `Bearer ${metricsToken}`) return json(res, 401, { error: 'unauthorized' });
        metrics.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.registry.contentType });
            res.end(text);
          },
          () => json(res, 500, { error: 'metrics unavailable' }),
        );
      },
    },
  ];
}
