import type { WebClientOptions } from '@slack/web-api';
import type { Backends } from './app/backends.js';
import type { AuditTrail } from './audit/audit-trail.js';
import type { IntegrationCatalog } from './backends/novu/integrations.js';
import type { Config } from './config/load.js';
import type { FeatureEvents } from './features/events.js';
import type { BackendName } from './http/errors.js';
import type { OAuthInstalls } from './installations/bolt-store.js';
import type { Installations } from './installations/installations.js';
import type { TokenRefresher } from './installations/token-refresher.js';
import type { JobQueue } from './jobs/queue.js';
import type { Logger } from './logging/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { Permissions } from './permissions/permissions.js';
import type { BotClients } from './slack/bot-clients.js';
import type { ResultSharing } from './slack/share.js';
import type { TokenClients } from './slack/token-clients.js';
import type { TokenCipher } from './store/cipher.js';
import type { Store } from './store/types.js';
import type { NovuScope } from './tenancy/novu-scope.js';
import type { Tenants } from './tenancy/tenants.js';

/**
 * Everything the app is built from, once per running app (see `createServices`). A part of the
 * app names only the fields it uses: `Pick<Services, …>`.
 */
export interface Services {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  store: Store;
  installations: Installations;
  /** Tenants' approval, cached like installations. */
  tenants: Tenants;
  /** How a tenant is scoped in Novu (its context, its subscriber); absent when Novu is switched off. */
  novuScope: NovuScope | undefined;
  refresher: TokenRefresher;
  /** Installations the OAuth callback is storing: anything else Bolt stores is a refreshed token. */
  oauthInstalls: OAuthInstalls;
  queue: JobQueue;
  audit: AuditTrail;
  permissions: Permissions;
  bots: BotClients;
  backends: Backends;
  /** Novu's active integrations, cached for pickers and checks; absent when Novu is switched off. */
  integrations: IntegrationCatalog | undefined;
  /** Seals secrets that must wait in a job's payload (e.g. SIP passwords); the store's key. */
  cipher: TokenCipher;
  configuredBackends: ReadonlySet<BackendName>;
  /** Web API options for calls made while a person waits: fail fast, never sleep through a 3-second trigger. */
  requestClientOptions: WebClientOptions;
  /** Web API clients for Slack requests: one shared client, bound to each request's bot token. */
  requestClients: TokenClients;
  /** Posts results in the channel a form came from, when the person asks. */
  sharing: ResultSharing;
  /** What features tell each other (a Home tab to draw again). */
  events: FeatureEvents;
}
