import { ErrorCode } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { connectSocketMode, SocketModeStartError } from '../../src/app/socket-mode.js';
import { createLogger } from '../../src/logging/logger.js';

/** The first Socket Mode connection: tried again with backoff, within bounds, then given up with a sentence. */
const logger = createLogger({ level: 'silent', format: 'json' });

function platformError(code: string): Error {
  return Object.assign(new Error(`An API error occurred: ${code}`), { code: ErrorCode.PlatformError, data: { ok: false, error: code } });
}

function fakeClock() {
  const waits: number[] = [];
  let now = 0;
  const realNow = Date.now;
  Date.now = () => now;
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    restore: () => {
      Date.now = realNow;
    },
  };
}

describe('connectSocketMode', () => {
  it('returns once Slack answers, after waiting longer each time', async () => {
    const clock = fakeClock();
    let attempts = 0;
    try {
      await connectSocketMode(
        async () => {
          attempts += 1;
          if (attempts < 4) throw new Error('fetch failed');
        },
        logger,
        { sleep: clock.sleep },
      );
    } finally {
      clock.restore();
    }
    expect(attempts).toBe(4);
    expect(clock.waits).toEqual([1_000, 2_000, 4_000]);
  });

  it('gives up on an unreachable Slack when the next wait would pass the budget', async () => {
    const clock = fakeClock();
    let attempts = 0;
    const failing = connectSocketMode(
      async () => {
        attempts += 1;
        throw new Error('fetch failed');
      },
      logger,
      { sleep: clock.sleep, budgetMs: 20_000 },
    );
    await expect(failing).rejects.toThrow(/could not be reached over Socket Mode for 15 s \(fetch failed\)/);
    clock.restore();
    expect(clock.waits).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(attempts).toBe(5);
  });

  it('gives up on a refused token after a few tries and says what to make instead', async () => {
    const clock = fakeClock();
    let attempts = 0;
    const failing = connectSocketMode(
      async () => {
        attempts += 1;
        throw platformError('invalid_auth');
      },
      logger,
      { sleep: clock.sleep },
    );
    await expect(failing).rejects.toBeInstanceOf(SocketModeStartError);
    await expect(failing).rejects.toThrow(/Slack refused SLACK_APP_TOKEN \(invalid_auth\).*connections:write/);
    clock.restore();
    expect(attempts).toBe(3);
    expect(clock.waits).toEqual([1_000, 2_000]);
  });

  it('treats other Slack errors as passing trouble, within the budget', async () => {
    const clock = fakeClock();
    let attempts = 0;
    try {
      await connectSocketMode(
        async () => {
          attempts += 1;
          if (attempts < 5) throw platformError('ratelimited');
        },
        logger,
        { sleep: clock.sleep },
      );
    } finally {
      clock.restore();
    }
    expect(attempts).toBe(5);
  });
});
