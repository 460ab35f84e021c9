import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type RetryMode } from '../../http/client.js';
import { BackendError, isAnswerLost } from '../../http/errors.js';
import { idempotencyKey } from './idempotency.js';

export interface WriteOnce<T> {
  /** Names the write in its keys, e.g. `channel-endpoints.create`. */
  operation: string;
  /** One user intent and one run of its job (`<job id>.<attempt>`): a new run never meets an old run's cached answer. */
  intent: string;
  body: unknown;
  /** Sends the write with this Idempotency-Key; `retry` is what the HTTP core may retry by itself. */
  send: (idempotencyKey: string, retry: 'unsent' | 'none') => Promise<T>;
  /** What an earlier send made, found by its deterministic identifier: undefined when nothing arrived. */
  lookup?: () => Promise<T | undefined>;
  /** Look before the first send: an earlier run of the job may have written and lost the answer. */
  lookupFirst?: boolean;
  retry: RetryMode;
  deadlineMs?: number;
}

const maxSends = 4;
const maxWaits = 10;

/**
 * One write per intent, on Novu's idempotency semantics (novuhq/novu idempotency.interceptor.ts):
 * Novu stores the answer to a key for 24 hours — errors included, any 5xx as a generic 500 — so a
 * write whose answer was lost is never resent with the same key, and never resent blindly:
 * - 409 "currently being processed": wait (Retry-After) and send the same key again;
 * - 429 or a connection refused: nothing reached Novu's handler, the same key again;
 * - a 5xx, a timeout, a dropped connection: look the record up by its identifier; if it is there,
 *   that was the write; if not, send again with a new key.
 * Everything else is Novu's answer and is returned or thrown as it is.
 */
export async function writeOnce<T>(write: WriteOnce<T>): Promise<T> {
  const started = Date.now();
  const timeLeft = (waitMs: number) => write.deadlineMs === undefined || Date.now() - started + waitMs <= write.deadlineMs;
  if (write.lookupFirst && write.lookup) {
    const earlier = await write.lookup();
    if (earlier !== undefined) return earlier;
  }
  let sends = 1;
  let waits = 0;
  for (;;) {
    try {
      return await write.send(idempotencyKey(write.operation, `${write.intent}.${sends}`, write.body), write.retry === 'none' ? 'none' : 'unsent');
    } catch (error) {
      if (!(error instanceof BackendError) || write.retry === 'none') throw error;
      if (isInProgress(error)) {
        const wait = error.failure.retryAfterMs ?? 1_000;
        waits += 1;
        if (waits > maxWaits || !timeLeft(wait)) throw error;
        await sleep(wait);
        continue;
      }
      if (!isAnswerLost(error)) {
        // A resend refused (409: the identifier is taken) because an earlier send of this run made it after all.
        const made = sends > 1 && write.lookup ? await write.lookup() : undefined;
        if (made !== undefined) return made;
        throw error;
      }
      const wait = backoffDelay(sends, 400, 8_000);
      if (sends >= maxSends || !timeLeft(wait)) throw error;
      const found = write.lookup ? await write.lookup() : undefined;
      if (found !== undefined) return found;
      await sleep(wait);
      sends += 1;
    }
  }
}

/** Another request with the same key is still running at Novu. */
export function isInProgress(error: BackendError): boolean {
  return error.status === 409 && /currently being processed/i.test(error.vendorMessage ?? '');
}
