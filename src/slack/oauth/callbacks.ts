import type { Installation } from '@slack/bolt';
import { type CodedError, ErrorCode } from '@slack/oauth';
import type { InstallFailure, InstallOutcome } from './pages.js';
import { RejectedStateError } from './state-store.js';

/** What the install flow asks of the rest of the app, around Bolt storing the installation. */
export interface InstallHooks {
  /** The install policy, before anything is stored: a refused installation is never stored. */
  beforeStore(installation: Installation): Promise<'store' | 'refuse'>;
  /** After the installation is stored: connect it, or ask the operators to approve it. */
  afterInstall(installation: Installation): Promise<InstallOutcome>;
}

/** Said when a callback without state is refused (see installRoutes). */
export const stateMissing: InstallFailure = {
  title: 'The installation link is incomplete',
  explanation:
    'Slack sent us back without the state that ties the installation to your browser, so Switchboard did not keep it. That is only accepted for an org-wide install from Slack’s app management pages. Start again from the install page.',
  reason: 'state-missing',
};

const cancelled: InstallFailure = {
  title: 'Installation cancelled',
  explanation: 'You cancelled the installation in Slack. Nothing was changed.',
  reason: 'cancelled',
};

const slackErrorWords: Record<string, string> = {
  invalid_scope:
    'Slack refused the permissions Switchboard asked for: the app’s configuration and its scopes do not match. Whoever runs Switchboard should update the Slack app from slack-manifest.yml.',
  invalid_team_for_non_distributed_app:
    'This Slack app is not distributed, so it can only be installed in the workspace it was made in. Whoever runs Switchboard can turn on public distribution in the app’s settings (Manage Distribution).',
  unapproved_app: 'An admin of this workspace has to approve the app first (the workspace restricts app installs).',
  org_login_required: 'Sign in to your Enterprise Grid org in Slack first, then start again.',
};

/** What Slack said when it sent the person back with an `error` instead of a code. */
export function describeSlackError(slackError: string): InstallFailure {
  if (slackError === 'access_denied') return cancelled;
  const known = slackErrorWords[slackError];
  return {
    title: 'Slack did not complete the installation',
    explanation: `Slack said “${slackError}”. ${known ?? 'Start again from the install page; if it keeps happening, check the Slack app’s settings.'}`,
    reason: `slack-${slackError.replace(/[^a-z0-9_]/gi, '').slice(0, 60)}`,
  };
}

const stateRejections = {
  expired: 'The installation link expired: links are valid for 10 minutes.',
  used: 'This installation link was already used. Each link works once.',
  forged: 'The installation link was not issued by this Switchboard.',
} as const;

/** The failures @slack/oauth reports by code. */
const codeFailures: Record<string, InstallFailure> = {
  [ErrorCode.InvalidStateError]: {
    title: 'Please start the installation in this browser',
    explanation:
      'The installation was started in a different browser (or its cookies were cleared), so Switchboard cannot be sure the request came from you. Start again from the install page in this browser.',
    reason: 'state-other-browser',
  },
  [ErrorCode.MissingStateError]: stateMissing,
  [ErrorCode.MissingCodeError]: {
    title: 'The installation did not finish',
    explanation: 'Slack sent us back without an authorization code. Start again from the install page.',
    reason: 'code-missing',
  },
  [ErrorCode.AuthorizationError]: cancelled,
};

/** Plain words for why an installation did not complete; never a stack trace. */
export function describeInstallFailure(error: CodedError): InstallFailure {
  if (error instanceof RejectedStateError) {
    return {
      title: 'The installation link is no longer valid',
      explanation: `${stateRejections[error.reason]} Start again from the install page.`,
      reason: `state-${error.reason}`,
    };
  }
  const known = codeFailures[error.code];
  if (known) return known;
  const slackCode = (error as { data?: { error?: unknown } }).data?.error;
  if (typeof slackCode === 'string') {
    return {
      title: 'Slack refused the installation',
      explanation: `Slack answered with the error code "${slackCode}". Start again from the install page; if it keeps happening, check the app's client ID and secret.`,
      reason: `slack-${slackCode}`,
    };
  }
  return {
    title: 'The installation could not be saved',
    explanation: 'Switchboard could not finish the installation because of a problem on its side. Nothing was changed in Slack; please try again in a minute.',
    reason: 'internal',
  };
}
