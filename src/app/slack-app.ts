import { App, AuthorizationError, type CustomRoute, HTTPReceiver, type InstallProviderOptions, SocketModeReceiver } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import type { InstallPathOptions } from '@slack/oauth';
import { notApprovedMessage, notApprovedView } from '../features/tenants/messages.js';
import { boltInstallationStore } from '../installations/bolt-store.js';
import { boltLogger } from '../logging/bolt-logger.js';
import { notInstalledMessage } from '../slack/commands/messages.js';
import { CommandRouter } from '../slack/commands/router.js';
import { type InflightWork, requestScope, skipRedeliveredEvents } from '../slack/middleware.js';
import { type InstallHooks, installCallbacks } from '../slack/oauth/callbacks.js';
import { installPage } from '../slack/oauth/pages.js';
import { StoredStateStore } from '../slack/oauth/state-store.js';
import { botScopeNames } from '../slack/scopes.js';
import { requestTenant } from '../tenancy/request-tenant.js';
import type { Services } from './services.js';

export interface SlackAppParts {
  app: App;
  receiver: HTTPReceiver | SocketModeReceiver;
  router: CommandRouter;
}

/**
 * Bolt with our receiver: signature checks, OAuth with a server-side state store, the cached
 * installation store, then global middleware (request scope, event de-duplication).
 */
export function createSlackApp(services: Services, options: { installHooks: InstallHooks; routes: CustomRoute[]; inflight: InflightWork }): SlackAppParts {
  const { config, logger, metrics, store } = services;
  const slackLogger = boltLogger(logger);
  const installUrl = `${config.publicUrl}/slack/install`;
  const stateStore = new StoredStateStore(store, config.slack.stateSecret);
  const installerOptions = {
    directInstall: config.slack.directInstall,
    stateStore,
    stateCookieExpirationSeconds: 600,
    authorizationUrl: config.slack.authorizeUrl,
    clientOptions: { ...services.requestClientOptions, timeout: 10_000, retryConfig: { retries: 2 } },
    installPath: '/slack/install',
    redirectUriPath: '/slack/oauth_redirect',
    renderHtmlForInstallPath: installPage,
    installPathOptions: {} as InstallPathOptions,
    callbackOptions: installCallbacks({
      hooks: options.installHooks,
      installUrl,
      stateStore,
      oauthInstalls: services.oauthInstalls,
      logger: logger.child({ component: 'oauth' }),
    }),
  } satisfies Partial<InstallProviderOptions> & Record<string, unknown>;
  const oauth = {
    clientId: config.slack.clientId,
    clientSecret: config.slack.clientSecret,
    redirectUri: `${config.publicUrl}/slack/oauth_redirect`,
    scopes: botScopeNames,
    installationStore: boltInstallationStore(services.installations, services.refresher, {
      oauthInstalls: services.oauthInstalls,
      novuRefreshes: config.novu?.tokenRotation === 'novu',
    }),
    logger: slackLogger,
    customRoutes: options.routes,
  };
  const receiver = config.slack.appToken
    ? new SocketModeReceiver({ ...oauth, appToken: config.slack.appToken, installerOptions: { ...installerOptions, port: config.port } })
    : new HTTPReceiver({ ...oauth, signingSecret: config.slack.signingSecret, installerOptions, unhandledRequestTimeoutMillis: 3001 });

  const app = new App({
    receiver,
    logger: slackLogger,
    clientOptions: services.requestClientOptions,
    convoStore: false,
    extendedErrorHandler: true,
  });
  app.use(requestScope(metrics, options.inflight));
  app.use(skipRedeliveredEvents(store, logger, new Set(['app_home_opened'])));
  app.use(
    requestTenant({
      tenants: services.tenants,
      isOperator: (userId) => services.permissions.isOperator(userId),
      notApproved: { message: notApprovedMessage, view: notApprovedView },
    }),
  );
  app.error(async ({ error, body }: ExtendedErrorHandlerArgs) => {
    if (error instanceof AuthorizationError) {
      logger.info({ reason: error.message }, 'request from a workspace without an installation');
      await tellNotInstalled(body as Record<string, unknown>, installUrl);
      return;
    }
    logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  const router = new CommandRouter({ permissions: services.permissions, configuredBackends: services.configuredBackends, logger });
  return { app, receiver, router };
}

/** A command from a workspace that uninstalled us: answer through its response_url, which needs no token. */
async function tellNotInstalled(body: Record<string, unknown>, installUrl: string): Promise<void> {
  const responseUrl = body.response_url;
  if (typeof body.command !== 'string' || typeof responseUrl !== 'string') return;
  await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(notInstalledMessage(installUrl)),
    signal: AbortSignal.timeout(3_000),
  }).catch(() => {});
}
