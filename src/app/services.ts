import { WebClient, type WebClientOptions } from '@slack/web-api';
import { AuditTrail, parseAuditChannel } from '../audit/audit-trail.js';
import { IntegrationCatalog } from '../backends/novu/integrations.js';
import type { Config } from '../config/load.js';
import { FeatureEvents } from '../features/events.js';
import type { BackendName } from '../http/errors.js';
import { OAuthInstalls } from '../installations/bolt-store.js';
import { Installations } from '../installations/installations.js';
import { TokenRefresher } from '../installations/token-refresher.js';
import { JobQueue } from '../jobs/queue.js';
import { boltLogger } from '../logging/bolt-logger.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { Permissions } from '../permissions/permissions.js';
import type { Services } from '../services.js';
import { BotClients } from '../slack/bot-clients.js';
import { ResultSharing } from '../slack/share.js';
import { TokenClients } from '../slack/token-clients.js';
import { TokenCipher } from '../store/cipher.js';
import { resolveEncryptionKey } from '../store/encryption-key.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { NovuScope } from '../tenancy/novu-scope.js';
import { Tenants } from '../tenancy/tenants.js';
import { createBackends } from './backends.js';

export async function createServices(config: Config, logger: Logger, metrics: Metrics, options: { store?: Store } = {}): Promise<Services> {
  const encryptionKey = resolveEncryptionKey(config, logger);
  const store = options.store ?? (await openStore(config.database, encryptionKey, logger));
  const slack = { slackApiUrl: config.slack.apiUrl, logger: boltLogger(logger) };
  const requestClientOptions: WebClientOptions = { ...slack, timeout: 2_500, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
  const retryConfig = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000, randomize: true };
  const backgroundClientOptions: WebClientOptions = { ...slack, timeout: 10_000, retryConfig };

  const installations = new Installations(store, {
    ttlMs: config.tuning.installationCacheMs,
    maxEntries: config.tuning.installationCacheSize,
    onLookup: (hit) => metrics.installationLookup(hit),
  });
  metrics.watchInstallationCache(() => installations.cachedCount);
  const audit = new AuditTrail(store, logger.child({ component: 'audit' }), parseAuditChannel(config.audit.channel));
  const bots = new BotClients(installations, backgroundClientOptions, logger.child({ component: 'slack-bot' }));
  audit.attachBotClients(bots);
  const refresher = new TokenRefresher(
    store,
    installations,
    new WebClient(undefined, backgroundClientOptions),
    config.slack,
    logger.child({ component: 'token-rotation' }),
    config.novu?.tokenRotation !== 'novu',
  );
  const { jobMaxAttempts: maxAttempts, jobRetryBaseMs: retryBaseMs, jobLeaseMs: leaseMs, inlineWaitMs } = config.tuning;
  const queue = new JobQueue(store, { maxAttempts, retryBaseMs, leaseMs, inlineWaitMs }, logger.child({ component: 'jobs' }), metrics, {
    audit: (entry, options) => audit.record(entry, options),
    directMessage: (key, userId, message) => bots.sendDirectMessage(key, userId, message),
  });
  const backends = createBackends(config, logger, metrics);

  return {
    config,
    logger,
    metrics,
    store,
    installations,
    tenants: new Tenants(store, { ttlMs: config.tuning.installationCacheMs, maxEntries: 20_000 }),
    novuScope: config.novu ? new NovuScope(config.novu) : undefined,
    refresher,
    oauthInstalls: new OAuthInstalls(),
    queue,
    audit,
    permissions: new Permissions(config.policy, config.operators, audit, logger.child({ component: 'permissions' }), {
      client: slack,
      installerOf: async (key) => (await installations.find(key))?.installation.user.id,
    }),
    bots,
    backends,
    integrations: backends.novu ? new IntegrationCatalog(backends.novu) : undefined,
    cipher: new TokenCipher(encryptionKey),
    configuredBackends: new Set(Object.keys(backends) as BackendName[]),
    requestClientOptions,
    requestClients: new TokenClients(requestClientOptions),
    sharing: new ResultSharing(config.slack.apiUrl, logger.child({ component: 'sharing' })),
    events: new FeatureEvents(logger.child({ component: 'events' })),
  };
}
