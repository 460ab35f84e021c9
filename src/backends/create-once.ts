import { setTimeout as sleep } from 'node:timers/promises';
import { BackendError, isAnswerLost } from '../http/errors.js';

export interface CreateOnce<T> {
  send: () => Promise<T>;
  /** What this request made, found by its marker: undefined when nothing carries it (yet). */
  find: () => Promise<T | undefined>;
  /** Look before sending: an earlier run of the job may have made it and lost the answer. */
  findFirst: boolean;
  /** How long a create whose answer was lost may take to show up before it counts as never made. */
  windowMs: number;
  pollMs?: number;
}

/**
 * A create on a vendor without idempotency keys (Vapi, SignalWire). Each request carries a marker
 * unique to it; when the answer is lost (a timeout, a 5xx, a dropped connection), the marker is
 * looked for, with bounded polling, before anything is sent again — a slow create shows up, and
 * only a create that never happened is resent (by the job's next run). Something without the
 * marker is never taken for this request's.
 */
export async function createOnce<T>(create: CreateOnce<T>): Promise<{ value: T; found: boolean }> {
  if (create.findFirst) {
    const earlier = await create.find();
    if (earlier !== undefined) return { value: earlier, found: true };
  }
  try {
    return { value: await create.send(), found: false };
  } catch (error) {
    if (!(error instanceof BackendError) || !isAnswerLost(error)) throw error;
    const deadline = Date.now() + create.windowMs;
    let pause = create.pollMs ?? 500;
    while (Date.now() < deadline) {
      await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
      // A failed look is no answer either way: look again. Anything but a vendor error is a verdict.
      const made = await create.find().catch((failure: unknown) => {
        if (failure instanceof BackendError) return undefined;
        throw failure;
      });
      if (made !== undefined) return { value: made, found: true };
      pause = Math.min(pause * 1.5, 5_000);
    }
    throw error;
  }
}
