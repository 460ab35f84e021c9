import { ErrorCode } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { connectSocketMode, SocketModeStartError, type SocketModeStartOptions } from '../../src/app/socket-mode.js';
import { createLogger } from '../../src/logging/logger.js';

/** The first Socket Mode connection: tried again with backoff, within bounds, then given up with a sentence. */
const logger = createLogger({ level: 'silent', format: 'json' });

function platformError(code: string): Error {
  return Object.assign(new Error(`An API error occurred: ${code}`), { code: ErrorCode.PlatformError, data: { ok: false, error: code } });
}

/** Runs a start that fails with `error` the first `failures` times, on a clock that only moves when waited on. */
async function startFailing(failures: number, error: () => Error, options: SocketModeStartOptions = {}) {
  const waits: number[] = [];
  let attempts = 0;
  let now = 0;
  const realNow = Date.now;
  Date.now = () => now;
  const sleep = async (ms: number) => {
    waits.push(ms);
    now += ms;
  };
  const start = async () => {
    attempts += 1;
    if (attempts <= failures) throw error();
  };
  try {
    const outcome = await connectSocketMode(start, logger, { sleep, ...options }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    return { outcome, attempts, waits };
  } finally {
    Date.now = realNow;
  }
}

describe('connectSocketMode', () => {
  it('returns once Slack answers, after waiting longer each time', async () => {
    const { outcome, attempts, waits } = await startFailing(3, () => new Error('fetch failed'));
    expect(outcome).toBeUndefined();
    expect(attempts).toBe(4);
    expect(waits).toEqual([1_000, 2_000, 4_000]);
  });

  it('gives up on an unreachable Slack when the next wait would pass the budget', async () => {
    const { outcome, attempts, waits } = await startFailing(Number.POSITIVE_INFINITY, () => new Error('fetch failed'), { budgetMs: 20_000 });
    expect(String(outcome)).toMatch(/could not be reached over Socket Mode for 15 s \(fetch failed\)/);
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(attempts).toBe(5);
  });

  it('gives up on a refused token after a few tries and says what to make instead', async () => {
    const { outcome, attempts, waits } = await startFailing(Number.POSITIVE_INFINITY, () => platformError('invalid_auth'));
    expect(outcome).toBeInstanceOf(SocketModeStartError);
    expect(String(outcome)).toMatch(/Slack refused SLACK_APP_TOKEN \(invalid_auth\).*connections:write/);
    expect(attempts).toBe(3);
    expect(waits).toEqual([1_000, 2_000]);
  });

  it('treats other Slack errors as passing trouble, within the budget', async () => {
    const { outcome, attempts } = await startFailing(4, () => platformError('ratelimited'));
    expect(outcome).toBeUndefined();
    expect(attempts).toBe(5);
  });
});
