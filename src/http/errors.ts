export type BackendName = 'novu' | 'vapi' | 'signalwire';

export const backendLabels: Record<BackendName, string> = { novu: 'Novu', vapi: 'Vapi', signalwire: 'SignalWire' };

/** `invalid-request`: Switchboard refused to send it (an identifier that is not one), so the vendor never saw it. */
export type FailureKind = 'http' | 'timeout' | 'network' | 'invalid-response' | 'invalid-request';

export interface BackendFailure {
  backend: BackendName;
  operation: string;
  kind: FailureKind;
  status?: number;
  /** The vendor's own words, already flattened to one line. */
  vendorMessage?: string;
  vendorCode?: string;
  retryAfterMs?: number;
  /** True when the request certainly did not reach the vendor's application (refused connection, 429). */
  unsent?: boolean;
  attempts: number;
  body?: unknown;
}

/** What a backend call failed with: enough for a handler to tell the user plainly what went wrong. */
export class BackendError extends Error {
  override name = 'BackendError';

  constructor(readonly failure: BackendFailure) {
    super(describeFailure(failure));
  }

  get backend(): BackendName {
    return this.failure.backend;
  }

  get status(): number | undefined {
    return this.failure.status;
  }

  get vendorMessage(): string | undefined {
    return this.failure.vendorMessage;
  }

  /** Worth trying again later: timeouts, network errors, 408, 429 and 5xx. */
  get retryable(): boolean {
    return isRetryableFailure(this.failure.kind, this.failure.status);
  }
}

export function isRetryableFailure(kind: FailureKind, status?: number): boolean {
  if (kind === 'timeout' || kind === 'network') return true;
  if (kind === 'invalid-response' || kind === 'invalid-request') return false;
  return status === 408 || status === 429 || (status !== undefined && status >= 500);
}

function describeFailure(failure: BackendFailure): string {
  const who = backendLabels[failure.backend];
  switch (failure.kind) {
    case 'timeout':
      return `${who} did not answer in time (${failure.operation})`;
    case 'network':
      return `${who} could not be reached (${failure.operation}${failure.vendorCode ? `: ${failure.vendorCode}` : ''})`;
    case 'invalid-response':
      return `${who} sent a response Switchboard could not read (${failure.operation})`;
    case 'invalid-request':
      return `Switchboard did not send ${failure.operation} to ${who}: ${failure.vendorMessage ?? 'the request is not valid'}`;
    case 'http':
      return `${who} answered ${failure.status}${failure.vendorMessage ? `: ${failure.vendorMessage}` : ''} (${failure.operation})`;
  }
}

/**
 * The request may or may not have been acted on: the vendor failed inside (5xx, 408), or the
 * answer never came back (timeout, dropped connection). Resending could do it twice.
 */
export function isAnswerLost(error: BackendError): boolean {
  const { kind, status, unsent } = error.failure;
  if (unsent) return false;
  return kind === 'timeout' || kind === 'network' || status === 408 || (status !== undefined && status >= 500);
}
