import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config/load.js';
import { createFeatures } from '../features/index.js';
import type { Logger } from '../logging/logger.js';
import { Metrics } from '../observability/metrics.js';
import { InflightWork } from '../slack/middleware.js';
import type { Store } from '../store/types.js';
import { createHttpServer } from './http-server.js';
import { startMaintenance } from './maintenance.js';
import { opsRoutes, serveMetrics } from './ops-routes.js';
import { createServices } from './services.js';
import { createSlackApp } from './slack-app.js';
import { connectSocketMode } from './socket-mode.js';

export type RunningSwitchboard = Awaited<ReturnType<typeof startSwitchboard>>;

export interface StartOptions {
  logger: Logger;
  metrics?: Metrics;
  /** Tests hand in a store over another engine; normally it comes from DATABASE_URL. */
  store?: Store;
  maintenanceIntervalMs?: number;
}

export async function startSwitchboard(config: Config, options: StartOptions) {
  const { logger } = options;
  const metrics = options.metrics ?? new Metrics({ processMetrics: true });
  const services = await createServices(config, logger, metrics, { store: options.store });
  let shuttingDown = false;
  let socketConnected = !config.slack.appToken;
  const inflight = new InflightWork();
  const features = createFeatures(services);
  const metricsAccess = config.metrics.port === undefined ? { token: config.metrics.token, requireToken: config.mode === 'production' } : undefined;
  const notReady = () => (shuttingDown ? 'shutting down' : socketConnected ? undefined : 'connecting to Slack over Socket Mode');
  const routes = opsRoutes(services.store, notReady, metrics, metricsAccess);
  const slack = createSlackApp(services, { installHooks: features.installHooks, inflight });
  for (const feature of features.all) {
    for (const job of feature.jobs ?? []) services.queue.define(job);
    feature.register(slack.listeners, slack.router);
  }
  slack.router.register(slack.listeners);

  // One HTTP server in both modes: install pages, health and metrics; Slack's requests too unless they come over Socket Mode.
  const http = createHttpServer(
    {
      ...routes,
      '/slack/install': slack.install.install,
      '/slack/oauth_redirect': slack.install.callback,
      ...Object.assign({}, ...features.all.map((feature) => feature.routes ?? {})),
      ...(slack.receiver instanceof HTTPReceiver ? { '/slack/events': slack.receiver.requestListener } : {}),
    },
    logger,
    metrics,
  );
  const port = await http.listen(config.port);
  const metricsServer = await listenForMetrics(config, logger, metrics);
  if (slack.receiver instanceof SocketModeReceiver) {
    await connectSocketMode(() => slack.app.start(), logger);
    socketConnected = true;
  }
  services.queue.start();
  const stopMaintenance = startMaintenance(services, options.maintenanceIntervalMs);
  logger.info(
    { port, store: services.store.engine, socketMode: Boolean(config.slack.appToken), backends: [...services.configuredBackends] },
    'Switchboard is running',
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      shuttingDown = true;
      logger.info('shutting down: no new requests; finishing work in flight');
      await metricsServer?.close(1_000);
      if (slack.receiver instanceof SocketModeReceiver) {
        // Bolt's stop() returns before the socket is closed; disconnect() waits for it.
        await slack.receiver.client.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'socket mode did not stop cleanly'));
      }
      await http.close(10_000);
      await inflight.drain(10_000);
      await services.queue.stop();
      await stopMaintenance();
      await services.audit.flush();
      services.installations.close();
      services.tenants.close();
      await services.store.close();
      logger.info('stopped');
    })());
  // `port`: where HTTP requests (or, in Socket Mode, install pages and health checks) are served.
  return { port, services, slack, stop };
}

/** Metrics on a port of their own, for a network Slack and the public never see; the token still applies when set. */
async function listenForMetrics(config: Config, logger: Logger, metrics: Metrics) {
  if (config.metrics.port === undefined) return undefined;
  const server = createHttpServer({ '/metrics': serveMetrics(metrics, { token: config.metrics.token, requireToken: false }) }, logger, metrics);
  await server.listen(config.metrics.port);
  return server;
}
