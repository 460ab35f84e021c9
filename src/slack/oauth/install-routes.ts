import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Installation, InstallationStore } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import { InstallProvider, type InstallURLOptions } from '@slack/oauth';
import type { WebClientOptions } from '@slack/web-api';
import type { OAuthInstalls } from '../../installations/bolt-store.js';
import type { Logger } from '../../logging/logger.js';
import { botScopeNames } from '../scopes.js';
import { describeSlackError, type InstallHooks, installCallbacks, sendPage } from './callbacks.js';
import { installFailurePage, installPage } from './pages.js';
import type { StoredStateStore } from './state-store.js';

export interface InstallRoutesOptions {
  clientId: string;
  clientSecret: string;
  publicUrl: string;
  authorizeUrl: string;
  directInstall: boolean;
  stateStore: StoredStateStore;
  installationStore: InstallationStore;
  oauthInstalls: OAuthInstalls;
  hooks: InstallHooks;
  clientOptions: WebClientOptions;
  slackLogger: SlackLogger;
  logger: Logger;
  /** Hands back the token of an install that is not kept (one that arrived without state and is not org-wide). */
  revoke: (installation: Installation) => Promise<void>;
}

export interface InstallRoutes {
  /** Bolt's `authorize`: installations from the store, with token rotation. */
  installer: InstallProvider;
  install: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/**
 * The install flow, served by Switchboard's own HTTP server in both HTTP and Socket Mode:
 * `/slack/install` starts OAuth with a single-use state bound to the browser; `/slack/oauth_redirect`
 * finishes it. Two things Bolt's receivers do not do:
 * - an Enterprise Grid admin installing from Slack's app-management page arrives without `state`
 *   (bolt-js#1101): that callback is accepted only when `oauth.v2.access` says it is an org-wide
 *   install; anything else without state is refused and its token handed back;
 * - Slack's own `error` (other than the person cancelling) is shown as Slack said it.
 */
export function installRoutes(options: InstallRoutesOptions): InstallRoutes {
  const installUrl = `${options.publicUrl}/slack/install`;
  const installUrlOptions: InstallURLOptions = { scopes: botScopeNames, redirectUri: `${options.publicUrl}/slack/oauth_redirect` };
  const shared = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    installationStore: options.installationStore,
    authorizationUrl: options.authorizeUrl,
    clientOptions: options.clientOptions,
    logger: options.slackLogger,
    installUrlOptions,
  };
  const installer = new InstallProvider({
    ...shared,
    stateStore: options.stateStore,
    stateCookieExpirationSeconds: 600,
    directInstall: options.directInstall,
    renderHtmlForInstallPath: installPage,
  });
  const withoutState = new InstallProvider({ ...shared, stateVerification: false });
  const log = options.logger.child({ component: 'oauth' });
  const callbackOptions = { hooks: options.hooks, installUrl, stateStore: options.stateStore, oauthInstalls: options.oauthInstalls, logger: log };
  const callbacks = installCallbacks(callbackOptions);
  const orgAdminCallbacks = installCallbacks({ ...callbackOptions, refuseUnlessOrgWide: options.revoke });

  return {
    installer,
    install: (req, res) => installer.handleInstallPath(req, res, undefined, installUrlOptions),
    async callback(req, res) {
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const slackError = query.get('error');
      if (slackError) {
        log.warn({ reason: slackError }, 'installation did not complete');
        return sendPage(res, 400, installFailurePage(describeSlackError(slackError), installUrl));
      }
      if (query.get('code') && !query.get('state')) return withoutState.handleCallback(req, res, orgAdminCallbacks, installUrlOptions);
      await installer.handleCallback(req, res, callbacks);
    },
  };
}
