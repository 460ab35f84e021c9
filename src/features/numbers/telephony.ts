import type { SignalWireNumber } from '../../backends/signalwire/schemas.js';
import type { VapiPhoneNumber } from '../../backends/vapi/schemas.js';
import { BackendError, backendLabels } from '../../http/errors.js';
import { TerminalJobError } from '../../jobs/queue.js';
import { sha256 } from '../../util/ids.js';
import { failureText } from '../failure-text.js';

/** How a new Vapi number's activation ended (or that it could not be told). */
export type ActivationSettled = { state: 'active' | 'blocked' | 'gave-up'; number: VapiPhoneNumber } | { state: 'gone' } | { state: 'unknown'; error: string };

/** What provisioning a number gave: the vendor's number, and whether it was there already. */
export type Provisioned = (
  | { backend: 'vapi'; number: VapiPhoneNumber; existing: boolean }
  | { backend: 'signalwire'; number: SignalWireNumber; existing: boolean }
) & { report?: ProvisionedReport };

/** Where the new number's calls and texts are reported; `problem` when that could not be set (the number stands). */
export interface ProvisionedReport {
  channelId: string;
  problem?: string;
}

/** A marker unique to one request (its intent), in letters Vapi's search treats literally. */
export function requestMarker(intent: string): string {
  return `sb-${sha256(intent).slice(0, 8)}`;
}

/** The name Vapi stores: the person's name, then the request's marker. Names hold at most 40 characters. */
export function markedName(name: string, marker: string): string {
  return `${name.slice(0, 40 - marker.length - 2)} #${marker}`;
}

/** The name without Switchboard's marker, for people. */
export function unmarkedName(name: string | null | undefined): string | undefined {
  return name?.replace(/ #sb-[0-9a-f]{8}$/, '') || undefined;
}

/** Plain words for a Vapi or SignalWire failure, the vendor's own behind them, and whether trying again could help. */
function explainTelephonyError(error: unknown): { reason: string; said?: string; terminal: boolean } {
  if (!(error instanceof BackendError)) return { reason: error instanceof Error ? error.message : String(error), terminal: false };
  const who = backendLabels[error.backend];
  const { status, vendorMessage, kind } = error.failure;
  const said = status === undefined ? undefined : `${who} answered ${status}${vendorMessage ? `: ${vendorMessage}` : ''}`;
  if (kind === 'timeout' || kind === 'network') return { reason: `${who} did not answer in time.`, terminal: false };
  if (kind === 'invalid-request') return { reason: error.message, terminal: true };
  if (status === 401 || status === 403) {
    const fix =
      error.backend === 'vapi'
        ? 'Check VAPI_API_KEY (the private key) and VAPI_API_URL.'
        : 'Check SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN (with the Numbers scope) and SIGNALWIRE_SPACE_URL.';
    return { reason: `${who} refused Switchboard's credentials. ${fix}`, said, terminal: true };
  }
  if (error.backend === 'signalwire' && status === 404 && error.failure.operation === 'importedPhoneNumbers.create') {
    return {
      reason: 'This SignalWire space cannot import numbers (the partner API is not enabled). Ask SignalWire support to enable number imports.',
      said,
      terminal: true,
    };
  }
  if (status === 429) return { reason: `${who} is rate-limiting requests.`, said, terminal: false };
  if (status !== undefined && status >= 500) return { reason: `${who} had an internal problem.`, said, terminal: false };
  return { reason: `${who} did not accept the request. Check what was entered against ${who}’s answer, then try again.`, said, terminal: true };
}

export function asTelephonyJobError(error: unknown): unknown {
  if (!(error instanceof BackendError)) return error;
  const explanation = explainTelephonyError(error);
  const text = failureText(explanation.reason, explanation.said);
  if (explanation.terminal) return new TerminalJobError(text);
  return error.retryable ? error : new Error(text);
}

export function describeTelephonyFailure(error: unknown): string {
  if (error instanceof TerminalJobError) return error.message;
  const explanation = explainTelephonyError(error);
  return failureText(explanation.reason, explanation.said);
}
