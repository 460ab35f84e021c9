import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenClients } from '../../src/slack/token-clients.js';

/** One shared WebClient for every workspace: each call must still carry its own workspace's token. */
let server: Server;
let url = '';
const seen: { method: string; authorization: string | undefined; body: string; at: number }[] = [];
let limitedOnce = false;
const retryAfterSeconds = 2;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.url?.replace('/api/', '') ?? '', authorization: req.headers.authorization, body, at: Date.now() });
      // Slack's limits are per workspace: the first call of the limited workspace gets a 429.
      if (req.headers.authorization === 'Bearer xoxb-limited' && !limitedOnce) {
        limitedOnce = true;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('TokenClients', () => {
  it('sends each view’s own token with its calls (the Authorization header), concurrently', async () => {
    const clients = new TokenClients({ slackApiUrl: url, retryConfig: { retries: 0 } });
    const acme = clients.for('xoxb-acme');
    const globex = clients.for('xoxb-globex');
    await Promise.all([
      acme.chat.postMessage({ channel: 'C1', text: 'a' }),
      globex.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } }),
      acme.apiCall('auth.test'),
      globex.admin.apps.approved.list({}),
    ]);
    const byMethod = Object.fromEntries(seen.map((call) => [call.method, call]));
    expect(byMethod['chat.postMessage']?.authorization).toBe('Bearer xoxb-acme');
    expect(byMethod['views.publish']?.authorization).toBe('Bearer xoxb-globex');
    expect(byMethod['auth.test']?.authorization).toBe('Bearer xoxb-acme');
    expect(byMethod['admin.apps.approved.list']?.authorization).toBe('Bearer xoxb-globex');
    // The Web API client also repeats a per-call token in the form body; it must be the same token.
    for (const call of seen) {
      const inBody = new URLSearchParams(call.body).get('token');
      if (inBody !== null) expect(`Bearer ${inBody}`).toBe(call.authorization);
    }
    expect(acme.token).toBe('xoxb-acme');
  });

  it('rejects a rate-limited call on the shared client without holding other workspaces’ calls', async () => {
    limitedOnce = false;
    const clients = new TokenClients({ slackApiUrl: url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const [limited, other] = await Promise.allSettled([clients.for('xoxb-limited').auth.test(), clients.for('xoxb-other').auth.test()]);
    expect(limited).toMatchObject({ status: 'rejected', reason: { code: 'slack_webapi_rate_limited_error', retryAfter: retryAfterSeconds } });
    expect(other.status).toBe('fulfilled');
  });

  it('gives clients that wait out a 429 one WebClient per token, so one workspace’s limit never pauses another’s calls', async () => {
    limitedOnce = false;
    const clients = new TokenClients({ slackApiUrl: url, retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const limited = clients.for('xoxb-limited').auth.test();
    while (!limitedOnce) await new Promise((resolve) => setTimeout(resolve, 5));
    // The limited workspace now waits out its Retry-After; a shared client would hold this call as long.
    await clients.for('xoxb-other').auth.test();
    await limited;
    const arrivals = (token: string) => seen.filter((call) => call.authorization === `Bearer ${token}`).map((call) => call.at);
    const [rateLimitedAt, retriedAt] = arrivals('xoxb-limited').slice(-2);
    const otherAt = arrivals('xoxb-other').at(-1);
    expect(retriedAt! - rateLimitedAt!).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - 50);
    expect(otherAt).toBeLessThan(rateLimitedAt! + retryAfterSeconds * 1000);
  });

  it('keeps only the most recently used of those per-token clients', () => {
    const clients = new TokenClients({ slackApiUrl: url }, 2);
    const first = clients.for('xoxb-a');
    expect(clients.for('xoxb-a')).toBe(first);
    clients.for('xoxb-b');
    clients.for('xoxb-c');
    expect(clients.for('xoxb-a')).not.toBe(first);
  });
});
