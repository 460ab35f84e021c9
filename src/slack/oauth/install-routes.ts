import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Installation, InstallationStore } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import { type CallbackOptions, type CodedError, ErrorCode, InstallProvider, type InstallURLOptions } from '@slack/oauth';
import type { WebClientOptions } from '@slack/web-api';
import type { OAuthInstalls } from '../../installations/bolt-store.js';
import type { Logger } from '../../logging/logger.js';
import { botScopeNames } from '../scopes.js';
import { describeInstallFailure, describeSlackError, type InstallHooks, stateMissing } from './callbacks.js';
import { type InstallOutcome, installFailurePage, installPage, installRefusedPage, installSuccessPage } from './pages.js';
import { RejectedStateError, type StoredStateStore } from './state-store.js';

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
  // The SDK warns at every start that state verification is off; here it is off on purpose, only for the org-admin path above.
  const slackLog = options.slackLogger;
  const quiet = { ...slackLog, warn: (...parts: unknown[]) => (String(parts[0]).includes('stateVerification') ? slackLog.debug : slackLog.warn)(...parts) };
  const withoutState = new InstallProvider({ ...shared, logger: quiet, stateVerification: false });
  const log = options.logger.child({ component: 'oauth' });
  const callbacks = installCallbacks(options, log, installUrl, false);
  const orgAdminCallbacks = installCallbacks(options, log, installUrl, true);

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

/**
 * Bolt's callbacks around storing an installation. `orgWideOnly`: for a callback that came without
 * state, only an org-wide install is kept; anything else is handed back with `revoke`.
 */
function installCallbacks(options: InstallRoutesOptions, log: Logger, installUrl: string, orgWideOnly: boolean): CallbackOptions {
  return {
    afterInstallation: async (installation, _installOptions, _req, res) => {
      if (orgWideOnly && !installation.isEnterpriseInstall) {
        await options.revoke(installation as Installation);
        log.warn({ team: installation.team?.id }, 'refused an install without state that was not org-wide');
        sendPage(res, 400, installFailurePage(stateMissing, installUrl));
        return false;
      }
      if ((await options.hooks.beforeStore(installation as Installation)) === 'store') {
        options.oauthInstalls.mark(installation);
        return true;
      }
      sendPage(res, 403, installRefusedPage(workspaceNameOf(installation as Installation)));
      return false;
    },
    successAsync: async (installation, _installOptions, _req, res) => {
      const outcome = await options.hooks.afterInstall(installation as Installation).catch((error: unknown): InstallOutcome => {
        log.error({ err: error }, 'post-install work failed');
        return { tenant: 'approved', novu: { state: 'pending', reason: 'Switchboard hit an unexpected error and will retry' } };
      });
      sendPage(res, 200, installSuccessPage(workspaceNameOf(installation as Installation), outcome, openSlackUrl(installation as Installation)));
    },
    failureAsync: async (error, _installOptions, req, res) => {
      const failure = describeInstallFailure(await withStateRejection(error, req, options.stateStore));
      log.warn({ reason: failure.reason, code: error.code }, 'installation did not complete');
      sendPage(res, failure.reason === 'internal' ? 500 : 400, installFailurePage(failure, installUrl));
    },
  };
}

/** A cookie mismatch is reported as "another browser" unless the state itself says more (used, forged). */
async function withStateRejection(error: CodedError, req: IncomingMessage, stateStore: StoredStateStore): Promise<CodedError> {
  if (error.code !== ErrorCode.InvalidStateError || error instanceof RejectedStateError) return error;
  const state = new URL(req.url ?? '/', 'http://localhost').searchParams.get('state');
  const rejection = state ? await stateStore.rejectionWithoutCookie(state).catch(() => undefined) : undefined;
  return rejection ? new RejectedStateError(rejection) : error;
}

function workspaceNameOf(installation: Installation): string {
  return (installation.isEnterpriseInstall ? installation.enterprise?.name : installation.team?.name) ?? 'your workspace';
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function openSlackUrl(installation: Installation): string {
  if (installation.isEnterpriseInstall && installation.enterpriseUrl && installation.appId) {
    return `${installation.enterpriseUrl}manage/organization/apps/profile/${installation.appId}/workspaces/add`;
  }
  const team = installation.team?.id;
  if (team && installation.appId) return `https://slack.com/app_redirect?app=${encodeURIComponent(installation.appId)}&team=${encodeURIComponent(team)}`;
  return 'https://slack.com/';
}
