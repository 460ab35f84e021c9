import { BackendError } from '../../http/errors.js';
import { isInProgress } from './write-once.js';

/** What went wrong with a Novu call, in words for the person who has to fix it. */
export interface NovuExplanation {
  /** One sentence: what Novu said. */
  reason: string;
  /** What to do about it, when we know. */
  hint?: string;
  /** The modal field the person should change, when one is to blame. */
  field?: 'integration' | 'subscriber' | 'connection' | 'context' | 'identifier' | 'number' | 'channel' | 'user';
  /** Not worth retrying: the same request will fail the same way. */
  terminal: boolean;
}

const featureDisabled = /feature not enabled/i;
const existingConnection = /Connection ID:\s*([A-Za-z0-9_.:-]+)/;
const identifierTaken = /identifier "([^"]+)" already exists/i;

export function explainNovuError(error: unknown): NovuExplanation {
  if (!(error instanceof BackendError) || error.backend !== 'novu') {
    return { reason: error instanceof Error ? error.message : String(error), terminal: false };
  }
  const { status, vendorMessage, kind } = error.failure;
  const said = vendorMessage ?? '';
  if (kind === 'timeout') return { reason: 'Novu did not answer in time', terminal: false };
  if (kind === 'network') return { reason: 'Novu could not be reached', terminal: false };
  if (kind === 'invalid-response') return { reason: 'Novu sent an answer Switchboard could not read', terminal: true };
  if (kind === 'invalid-request') return { reason: error.message, field: 'identifier', terminal: true };
  if (status === 401 || status === 403) {
    return {
      reason: `Novu refused Switchboard's API key (${status})`,
      hint: 'Check NOVU_SECRET_KEY (Novu dashboard → Developer → API Keys → Secret Key) and that NOVU_API_URL is your region (EU: https://eu.api.novu.co).',
      terminal: true,
    };
  }
  if (status === 404 && featureDisabled.test(said)) {
    return {
      reason: 'Novu has not enabled channel connections for this organization ("Feature not enabled")',
      hint: 'Ask Novu support (support@novu.co) to enable Slack channel connections and endpoints for your organization, then try again.',
      terminal: true,
    };
  }
  if (status === 404 && /integration/i.test(said)) {
    return {
      reason: `Novu has no such integration (${said})`,
      hint: 'Pick an active integration, or fix NOVU_INTEGRATION_IDENTIFIER (Novu dashboard → Integrations Store → the integration → Identifier).',
      field: 'integration',
      terminal: true,
    };
  }
  if (status === 404 && /subscriber/i.test(said)) {
    // "Subscriber not found: X. Pass createSubscriberIfMissing…" (create-channel-endpoint), "Subscriber: X was not found" (subscribers-v2).
    const subscriberId = /Subscriber(?: not found)?:\s*(\S+?)(?:\.\s|\s|$)/.exec(said)?.[1];
    return unknownSubscriber(subscriberId);
  }
  if (status === 404 && /connection/i.test(said)) {
    return { reason: `Novu has no such channel connection (${said})`, field: 'connection', terminal: true };
  }
  if (status === 429) return { reason: 'Novu is rate-limiting requests', terminal: false };
  if (status !== undefined && status >= 500) return { reason: `Novu had an internal problem (${status})`, terminal: false };
  if (isInProgress(error)) return { reason: 'Novu is still processing the same request', terminal: false };
  return { reason: said ? `Novu answered ${status}: ${said}` : `Novu answered ${status}`, terminal: status !== 408 };
}

/**
 * A subscriber this workspace cannot use: one Novu does not have, and one that is another
 * workspace's, get these same words, so nobody learns which subscribers other workspaces have.
 */
export function unknownSubscriber(subscriberId: string | undefined): NovuExplanation {
  return {
    reason: subscriberId ? `Novu has no subscriber ${subscriberId} that this workspace can use` : 'Novu has no such subscriber that this workspace can use',
    hint: 'Check the subscriber ID with whoever runs Novu.',
    field: 'subscriber',
    terminal: true,
  };
}

/** The identifier of the connection a 409 says already exists, if it names one. */
export function existingConnectionIdentifier(error: unknown): string | undefined {
  if (!(error instanceof BackendError) || error.status !== 409) return undefined;
  const said = error.vendorMessage ?? '';
  return existingConnection.exec(said)?.[1] ?? identifierTaken.exec(said)?.[1];
}

export function isNovuNotFound(error: unknown): boolean {
  return error instanceof BackendError && error.status === 404 && !featureDisabled.test(error.vendorMessage ?? '');
}

/**
 * A 404 on a retried DELETE: an earlier attempt of the same call reached Novu and deleted it, and
 * only its answer was lost. That delete was ours, not "already gone".
 */
export function deletedByEarlierAttempt(error: unknown): boolean {
  return isNovuNotFound(error) && error instanceof BackendError && error.failure.attempts > 1;
}
