import type { ServerResponse } from 'node:http';
import {
  App,
  AuthorizationError,
  type AuthorizeResult,
  type BufferedIncomingMessage,
  HTTPModuleFunctions,
  HTTPReceiver,
  SocketModeReceiver,
} from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import { notApprovedMessage, notApprovedView } from '../features/tenants/messages.js';
import { boltInstallationStore } from '../installations/bolt-store.js';
import { boltLogger } from '../logging/bolt-logger.js';
import type { Logger } from '../logging/logger.js';
import { notInstalledMessage, refusalMessage, storeUnavailableMessage, storeUnavailableText } from '../slack/commands/messages.js';
import { CommandRouter } from '../slack/commands/router.js';
import { Guards } from '../slack/guards.js';
import { type ClientFor, ListenerTable } from '../slack/listener-table.js';
import { type InflightWork, requestPath, requestScope, skipRedeliveredEvents } from '../slack/middleware.js';
import type { InstallHooks } from '../slack/oauth/callbacks.js';
import { type InstallRoutes, installRoutes } from '../slack/oauth/install-routes.js';
import { StoredStateStore } from '../slack/oauth/state-store.js';
import { causedByStore } from '../store/unavailable.js';
import { recordOwners } from '../tenancy/ownership.js';
import { requestTenant } from '../tenancy/request-tenant.js';
import type { Services } from './services.js';

export interface SlackAppParts {
  app: App;
  receiver: HTTPReceiver | SocketModeReceiver;
  router: CommandRouter;
  /** The install pages, served by our HTTP server in both modes. */
  install: InstallRoutes;
  /** Where features register their listeners: the last step of the request path. */
  listeners: ListenerTable;
}

/**
 * Bolt with our receiver and our installer: the request path is receiver (signature check) →
 * authorize (the cached installation store, with token rotation) → request scope → event
 * de-duplication → tenant → listeners. The receivers carry no OAuth of their own: the install
 * pages are served by Switchboard's HTTP server, in HTTP and in Socket Mode alike.
 */
export function createSlackApp(services: Services, options: { installHooks: InstallHooks; inflight: InflightWork }): SlackAppParts {
  const { config, logger, metrics, store } = services;
  const slackLogger = boltLogger(logger);
  const installUrl = `${config.publicUrl}/slack/install`;
  const install = installRoutes({
    clientId: config.slack.clientId,
    clientSecret: config.slack.clientSecret,
    publicUrl: config.publicUrl,
    authorizeUrl: config.slack.authorizeUrl,
    directInstall: config.slack.directInstall,
    stateStore: new StoredStateStore(store, config.slack.stateSecret),
    installationStore: boltInstallationStore(services.installations, services.refresher, {
      oauthInstalls: services.oauthInstalls,
      novuRefreshes: config.novu?.tokenRotation === 'novu',
    }),
    oauthInstalls: services.oauthInstalls,
    hooks: options.installHooks,
    clientOptions: { ...services.requestClientOptions, timeout: 10_000, retryConfig: { retries: 2 } },
    slackLogger,
    logger,
    revoke: async (installation) => {
      const token = installation.bot?.token;
      if (token)
        await services.bots
          .forToken(token)
          .auth.revoke()
          .catch((error: unknown) => logger.warn({ err: error }, 'could not revoke a token'));
    },
  });

  const receiver = config.slack.appToken
    ? new SocketModeReceiver({
        appToken: config.slack.appToken,
        logger: slackLogger,
        // Our own retry policy: left unset, the Socket Mode client sets 100 retries on these options.
        installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 5, factor: 1.6 } } },
        // Answers here and returns false: Bolt's own ack after this handler is outside any catch,
        // and one that fails (the socket closed meanwhile) would be an unhandled rejection.
        processEventErrorHandler: async ({ error, event }) => {
          if (causedByStore(error)) {
            const answer = storeOutageAnswer(event.body as Record<string, unknown>, logger);
            // Not acknowledged, an event is sent again by Slack later; everything else gets the answer.
            if (answer.status !== 200 && event.body.type === 'event_callback') return false;
            await event.ack(answer.body).catch((ackError: unknown) => logger.debug({ err: ackError }, 'the socket closed'));
            return false;
          }
          if (!(error instanceof AuthorizationError)) logger.error({ err: error }, 'a Slack request failed');
          const answer = error instanceof AuthorizationError && typeof event.body.command === 'string' ? notInstalledMessage(installUrl) : undefined;
          await event.ack(answer).catch((ackError: unknown) => logger.debug({ err: ackError }, 'the request was acknowledged already or the socket closed'));
          return false;
        },
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret,
        logger: slackLogger,
        endpoints: '/slack/events',
        unhandledRequestTimeoutMillis: 3001,
        processEventErrorHandler: async (args) => {
          if (causedByStore(args.error)) {
            answerStoreOutage(args.request as BufferedIncomingMessage, args.response, logger);
            return true;
          }
          if (!(args.error instanceof AuthorizationError)) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
          answerNotInstalled(args.request as BufferedIncomingMessage, args.response, installUrl, logger);
          return true;
        },
      });

  const app = new App({
    receiver,
    authorize: async (source) => keepTokenFromBolt(await install.installer.authorize(source)),
    logger: slackLogger,
    clientOptions: services.requestClientOptions,
    convoStore: false,
    // Switchboard listens to no message events, the only ones the app's own bot could cause.
    ignoreSelf: false,
    extendedErrorHandler: true,
  });
  const clientFor: ClientFor = (context) => {
    const token = context[botAccessToken];
    return typeof token === 'string' ? services.requestClients.for(token) : app.client;
  };
  const listeners = new ListenerTable({
    clientFor,
    guards: new Guards({ permissions: services.permissions, owners: recordOwners(store), audit: services.audit }),
    directMessage: (actor, text) => services.bots.sendDirectMessage(actor.tenant.key, actor.userId, refusalMessage(text)),
  });
  app.use(
    requestPath(
      [
        requestScope(metrics, options.inflight),
        skipRedeliveredEvents(store, logger, new Set(['app_home_opened'])),
        requestTenant({
          tenants: services.tenants,
          isOperator: (userId) => services.permissions.isOperator(userId),
          notApproved: { message: notApprovedMessage, view: notApprovedView },
        }),
      ],
      listeners.dispatch,
    ),
  );
  app.error(async ({ error }: ExtendedErrorHandlerArgs) => {
    // The receivers answer these themselves, in the acknowledgement (see above).
    if (error instanceof AuthorizationError || causedByStore(error)) throw error;
    logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  const router = new CommandRouter({ permissions: services.permissions, configuredBackends: services.configuredBackends, logger });
  return { app, receiver, router, install, listeners };
}

/** Where the request's bot token travels in the context, instead of `botToken`. */
export const botAccessToken = 'botAccessToken';

/**
 * Bolt builds a Web API client for every workspace's token it is handed and keeps each one for
 * the life of the process (its private `clients`): at 20,000 workspaces that is most of the
 * memory. So Bolt is not handed the token; handlers get a view of one shared client that sends
 * the workspace's token with each call (TokenClients, through ListenerTable and the command router).
 */
function keepTokenFromBolt(result: AuthorizeResult): AuthorizeResult {
  // A fresh object from the installer for each request: changed in place, which is cheaper than a copy.
  result[botAccessToken] = result.botToken;
  result.botToken = undefined;
  // Bolt falls back to a user token; Switchboard asks for none, and would not hand one out either.
  result.userToken = undefined;
  return result;
}

/**
 * A request that could not be looked up because the store did not answer: an honest "try again"
 * in whatever form the request takes. A command gets the sentence; a form keeps what was typed,
 * the sentence under its first field (or, with no field, an error Slack shows in the form); an
 * event or a click is refused with 503, so Slack sends the event again and shows the click failed.
 */
export function storeOutageAnswer(body: Record<string, unknown>, logger: Logger): { status: number; body?: unknown } {
  logger.warn({ type: body.type ?? 'command' }, 'a Slack request was refused: the store is unreachable');
  if (typeof body.command === 'string') return { status: 200, body: storeUnavailableMessage() };
  if (body.type === 'view_submission') {
    const blocks = (body.view as { blocks?: { type?: string; block_id?: string }[] } | undefined)?.blocks ?? [];
    const field = blocks.find((block) => block.type === 'input' && block.block_id)?.block_id;
    if (field) return { status: 200, body: { response_action: 'errors', errors: { [field]: storeUnavailableText } } };
  }
  return { status: 503 };
}

function answerStoreOutage(request: BufferedIncomingMessage, response: ServerResponse, logger: Logger): void {
  let body: Record<string, unknown> = {};
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(request) as Record<string, unknown>;
  } catch {
    // Refused below all the same.
  }
  if (response.headersSent) return;
  const answer = storeOutageAnswer(body, logger);
  if (answer.body === undefined) {
    response.writeHead(answer.status);
    response.end();
    return;
  }
  response.writeHead(answer.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(answer.body));
}

/**
 * A request from a workspace that uninstalled Switchboard: a command is answered in the
 * acknowledgement itself (no token is needed, and nothing waits on Slack); anything else is acked.
 */
function answerNotInstalled(request: BufferedIncomingMessage, response: ServerResponse, installUrl: string, logger: Logger): void {
  let body: Record<string, unknown> = {};
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(request) as Record<string, unknown>;
  } catch {
    // Acknowledge whatever it was.
  }
  logger.info('request from a workspace without an installation');
  if (response.headersSent) return;
  if (typeof body.command === 'string') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(notInstalledMessage(installUrl)));
    return;
  }
  response.writeHead(200);
  response.end();
}
