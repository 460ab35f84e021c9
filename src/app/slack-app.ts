import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  App,
  AuthorizationError,
  type AuthorizeResult,
  type BufferedIncomingMessage,
  HTTPModuleFunctions,
  HTTPReceiver,
  type Logger as SlackLogger,
  SocketModeReceiver,
} from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import type { Config } from '../config/load.js';
import { notApprovedMessage, notApprovedView } from '../features/tenants/messages.js';
import { boltInstallationStore } from '../installations/bolt-store.js';
import { boltLogger } from '../logging/bolt-logger.js';
import type { Logger } from '../logging/logger.js';
import type { Services } from '../services.js';
import { notInstalledMessage, refusalMessage, storeUnavailableMessage, storeUnavailableText } from '../slack/commands/messages.js';
import { CommandRouter } from '../slack/commands/router.js';
import { Guards } from '../slack/guards.js';
import { ListenerTable } from '../slack/listener-table.js';
import { type InflightWork, requestPath, requestScope, skipRedeliveredEvents } from '../slack/middleware.js';
import type { InstallHooks } from '../slack/oauth/callbacks.js';
import { type InstallRoutes, installRoutes } from '../slack/oauth/install-routes.js';
import { StoredStateStore } from '../slack/oauth/state-store.js';
import { causedByStore } from '../store/unavailable.js';
import { recordOwners } from '../tenancy/ownership.js';
import { requestTenant } from '../tenancy/request-tenant.js';

/**
 * Slack's requests over Socket Mode (with an app token) or HTTP. Both answer in the acknowledgement a
 * request that failed because the store did not answer, and one from a workspace that uninstalled
 * Switchboard: a command gets its sentence there (no token is needed, and nothing waits on Slack).
 */
function createReceiver(config: Config, slackLogger: SlackLogger, logger: Logger): HTTPReceiver | SocketModeReceiver {
  const installUrl = `${config.publicUrl}/slack/install`;
  if (config.slack.appToken) {
    return new SocketModeReceiver({
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
    });
  }
  return new HTTPReceiver({
    signingSecret: config.slack.signingSecret,
    logger: slackLogger,
    endpoints: '/slack/events',
    unhandledRequestTimeoutMillis: 3001,
    processEventErrorHandler: async (args) => {
      const { error, request, response } = args;
      if (causedByStore(error)) {
        const body = bodyOf(request);
        if (!response.headersSent) writeAnswer(response, storeOutageAnswer(body, logger));
        return true;
      }
      if (!(error instanceof AuthorizationError)) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
      const body = bodyOf(request);
      logger.info('request from a workspace without an installation');
      if (!response.headersSent) writeAnswer(response, { status: 200, body: typeof body.command === 'string' ? notInstalledMessage(installUrl) : undefined });
      return true;
    },
  });
}

/**
 * Bolt with our receiver and our installer: the request path is receiver (signature check) →
 * authorize (the cached installation store, with token rotation) → request scope → event
 * de-duplication → tenant → listeners. The receivers carry no OAuth of their own: the install
 * pages are served by Switchboard's HTTP server, in HTTP and in Socket Mode alike.
 */
export function createSlackApp(services: Services, options: { installHooks: InstallHooks; inflight: InflightWork }) {
  const { config, logger, metrics, store } = services;
  const slackLogger = boltLogger(logger);
  const install = slackInstall(services, options.installHooks, slackLogger);
  const receiver = createReceiver(config, slackLogger, logger);
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
  const listeners = new ListenerTable({
    clientFor: (context) => {
      const token = context[botAccessToken];
      return typeof token === 'string' ? services.requestClients.for(token) : app.client;
    },
    guards: new Guards({ permissions: services.permissions, owners: recordOwners(store), audit: services.audit }),
    directMessage: (actor, text, ask) => services.bots.sendDirectMessage(actor.tenant.key, actor.userId, refusalMessage(text, ask)),
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
  // Features register their listeners in `listeners` (the request path's last step); `install` is served by our HTTP server.
  return { app, receiver, router, install, listeners };
}

/** The install pages (served by our HTTP server in both modes) and Bolt's installer over our installations. */
function slackInstall(services: Services, hooks: InstallHooks, slackLogger: SlackLogger): InstallRoutes {
  const { config, logger } = services;
  return installRoutes({
    clientId: config.slack.clientId,
    clientSecret: config.slack.clientSecret,
    publicUrl: config.publicUrl,
    authorizeUrl: config.slack.authorizeUrl,
    directInstall: config.slack.directInstall,
    stateStore: new StoredStateStore(services.store, config.slack.stateSecret),
    installationStore: boltInstallationStore(services.installations, services.refresher, {
      oauthInstalls: services.oauthInstalls,
      novuRefreshes: config.novu?.tokenRotation === 'novu',
    }),
    oauthInstalls: services.oauthInstalls,
    hooks,
    clientOptions: { ...services.requestClientOptions, timeout: 10_000, retryConfig: { retries: 2 } },
    slackLogger,
    logger,
    revoke: async ({ bot }) => {
      if (!bot?.token) return;
      await services.bots
        .forToken(bot.token)
        .auth.revoke()
        .catch((error: unknown) => logger.warn({ err: error }, 'could not revoke a token'));
    },
  });
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

/** Slack's request body; an empty one when it cannot be read (the request is answered all the same). */
function bodyOf(request: IncomingMessage): Record<string, unknown> {
  try {
    return HTTPModuleFunctions.parseHTTPRequestBody(request as BufferedIncomingMessage) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The acknowledgement: a JSON body when there is one, else the bare status. */
function writeAnswer(response: ServerResponse, { status, body }: { status: number; body?: unknown }): void {
  if (body === undefined) response.writeHead(status).end();
  else response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
