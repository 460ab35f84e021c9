import { BackendError } from '../../http/errors.js';
import { isInProgress } from './write-once.js';

/** What went wrong with a Novu call, in words for the person who has to fix it. */
export interface NovuExplanation {
  /** One sentence in people's words: what happened. */
  reason: string;
  /** What to do about it, when we know. */
  hint?: string;
  /** Novu's own words (with its status), shown behind the sentence for whoever asks Novu about it. */
  said?: string;
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
  const answered = status === undefined ? undefined : said ? `Novu answered ${status}: ${said}` : `Novu answered ${status}`;
  if (kind === 'timeout') return { reason: 'Novu did not answer in time', terminal: false };
  if (kind === 'network') return { reason: 'Novu could not be reached', terminal: false };
  if (kind === 'invalid-response') return { reason: 'Novu sent an answer Switchboard could not read', terminal: true };
  if (kind === 'invalid-request') return { reason: error.message, field: 'identifier', terminal: true };
  if (status === 401 || status === 403) {
    return {
      reason: "Novu refused Switchboard's API key",
      hint: 'Check NOVU_SECRET_KEY (Novu dashboard → Developer → API Keys → Secret Key) and that NOVU_API_URL is your region (EU: https://eu.api.novu.co).',
      said: answered,
      terminal: true,
    };
  }
  if (status === 404 && featureDisabled.test(said)) {
    return {
      reason: 'Novu has not enabled channel connections for this organization',
      hint: 'Ask Novu support (support@novu.co) to enable Slack channel connections and endpoints for your organization, then try again.',
      said: answered,
      terminal: true,
    };
  }
  if (status === 404 && /integration/i.test(said)) {
    return {
      reason: 'Novu has no such integration',
      hint: 'Pick an active integration, or fix NOVU_INTEGRATION_IDENTIFIER (Novu dashboard → Integrations Store → the integration → Identifier).',
      said: answered,
      field: 'integration',
      terminal: true,
    };
  }
  if (status === 404 && /subscriber/i.test(said)) {
    // "Subscriber not found: X. Pass createSubscriberIfMissing…" (create-channel-endpoint), "Subscriber: X was not found" (subscribers-v2).
    const subscriberId = /Subscriber(?: not found)?:\s*(\S+?)(?:\.\s|\s|$)/.exec(said)?.[1];
    return unknownSubscriber(subscriberId, answered);
  }
  if (status === 404 && /connection/i.test(said)) {
    return {
      reason: 'Novu has no such channel connection',
      hint: 'Choose this workspace’s connection, or none (/connect shows it).',
      said: answered,
      field: 'connection',
      terminal: true,
    };
  }
  if (status === 429) return { reason: 'Novu is rate-limiting requests', said: answered, terminal: false };
  if (status !== undefined && status >= 500) return { reason: 'Novu had an internal problem', said: answered, terminal: false };
  if (isInProgress(error)) return { reason: 'Novu is still processing the same request', terminal: false };
  return {
    reason: 'Novu did not accept the request',
    hint: 'Check what was entered against Novu’s answer, then try again.',
    said: answered,
    terminal: status !== 408,
  };
}

/**
 * A subscriber this workspace cannot use: one Novu does not have, and one that is another
 * workspace's, get these same words, so nobody learns which subscribers other workspaces have.
 * Refused before Novu is asked, the answer carries the words Novu gives an endpoint written for a
 * subscriber it does not have (create-channel-endpoint.usecase.ts), where that refusal stands.
 */
export function unknownSubscriber(subscriberId: string | undefined, said = noSuchSubscriberAnswer(subscriberId)): NovuExplanation {
  return {
    reason: subscriberId ? `Novu has no subscriber ${subscriberId} in this workspace` : 'Novu has no such subscriber in this workspace',
    hint: 'Create it in Novu first, or pick another subscriber.',
    said,
    field: 'subscriber',
    terminal: true,
  };
}

/** What Novu answers an endpoint written for a subscriber it does not have. */
function noSuchSubscriberAnswer(subscriberId: string | undefined): string {
  return `Novu answered 404: Subscriber not found: ${subscriberId ?? ''}. Pass createSubscriberIfMissing: true to create it, or provision it via POST /v1/subscribers.`;
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
