import { keepRunningOnUnhandledRejection, logUncaughtExceptions } from './app/process-guards.js';
import { firstRunGuide } from './config/guide.js';
import { ConfigError, loadConfig, readEnvironment } from './config/load.js';
import { createLogger } from './logging/logger.js';

/** Process entry: configuration first (fast, no heavy imports), then the app, then signal handling. */
async function main(): Promise<void> {
  const environment = readEnvironment();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(environment, { isTty: Boolean(process.stdout.isTTY) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const nothingSet = !environment.SLACK_SIGNING_SECRET && !environment.SLACK_CLIENT_ID && !environment.SLACK_CLIENT_SECRET;
    process.stderr.write(`${error.message}\n${nothingSet ? `\n${firstRunGuide}\n` : ''}`);
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ level: config.log.level, format: config.log.format, secrets: config.secrets });
  keepRunningOnUnhandledRejection(logger);
  logUncaughtExceptions(logger);
  const { startSwitchboard } = await import('./app/start.js');
  let running: Awaited<ReturnType<typeof startSwitchboard>>;
  try {
    running = await startSwitchboard(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, `Switchboard could not start: ${error instanceof Error ? error.message : String(error)}`);
    logger.flush();
    // Whatever did start (the HTTP server, timers) would keep a process that can do nothing alive.
    process.exit(1);
  }
  let signals = 0;
  const shutdown = async (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'received a signal');
    const stopped = await running.stop().then(
      () => true,
      (error: unknown) => logger.error({ err: error }, 'shutdown failed'),
    );
    logger.flush();
    process.exit(stopped ? 0 : 1);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

await main();
