import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeNovu } from './backends/novu.js';

/**
 * The fake Novu is only worth its tests if it is as strict as Novu. These pin down the rules it
 * takes from Novu's source (see the comments in backends/novu.ts), over real HTTP.
 */
const novu = new FakeNovu();
beforeAll(() => novu.start());
afterAll(() => novu.stop());
beforeEach(() => {
  novu.connections.clear();
  novu.endpoints.clear();
  novu.idempotency.clear();
  novu.clearFaults();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${novu.url}${path}`, {
    method,
    headers: { authorization: `ApiKey ${novu.secretKey}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

const connection = (overrides: Record<string, unknown> = {}) => ({
  identifier: 'conn-a',
  integrationIdentifier: 'slack-prod',
  workspace: { id: 'T1' },
  auth: { accessToken: 'xoxb-fake-token-aaaaaaaa' },
  connectionMode: 'shared',
  context: { tenant: 'T1' },
  ...overrides,
});

describe('idempotency (idempotency.interceptor.ts)', () => {
  it('replays a stored error for the same key — a 5xx as a generic 500 — and a new key goes through', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', reply: novu.internalError() });
    const first = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'k1' });
    expect(first.status).toBe(500);
    const replay = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'k1' });
    expect(replay.status).toBe(500);
    expect(replay.headers.get('idempotency-replay')).toBe('true');
    expect(replay.body?.message).toContain('contact support');
    expect(novu.connections.size).toBe(0);
    expect((await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'k2' })).status).toBe(201);
  });

  it('replays a 4xx as it was, and a success byte for byte', async () => {
    const missing = await call(
      'POST',
      '/v1/channel-endpoints',
      { type: 'phone', subscriberId: 'nobody', integrationIdentifier: 'twilio-sms', endpoint: { phoneNumber: '+1' } },
      { 'idempotency-key': 'k404' },
    );
    const again = await call(
      'POST',
      '/v1/channel-endpoints',
      { type: 'phone', subscriberId: 'nobody', integrationIdentifier: 'twilio-sms', endpoint: { phoneNumber: '+1' } },
      { 'idempotency-key': 'k404' },
    );
    expect([missing.status, again.status]).toEqual([404, 404]);
    expect(again.body?.message).toBe(missing.body?.message);
    const created = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'ok' });
    const replayed = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'ok' });
    expect(replayed.status).toBe(201);
    expect(replayed.body).toEqual(created.body);
    expect(novu.connections.size).toBe(1);
  });

  it('answers 409 with Retry-After: 1 while the same key is in flight, 422 for another body, 400 over 255 characters; never for GET', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', delayMs: 300 });
    const [slow, busy] = await Promise.all([
      call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'busy' }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        call('POST', '/v1/channel-connections', connection({ identifier: 'other' }), { 'idempotency-key': 'busy' }),
      ),
    ]);
    expect(slow.status).toBe(201);
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(busy.body?.message).toBe('Request with key "busy" is currently being processed. Please retry after 1 second');
    const reused = await call('POST', '/v1/channel-connections', connection({ identifier: 'other' }), { 'idempotency-key': 'busy' });
    expect(reused.status).toBe(422);
    expect((await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'x'.repeat(256) })).status).toBe(400);
    await call('GET', '/v1/channel-connections/conn-a', undefined, { 'idempotency-key': 'get' });
    expect(novu.idempotency.has('get')).toBe(false);
  });

  it('stores an answer the client never saw (a slow write) and replays it to the retry', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', delayMs: 200 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await fetch(`${novu.url}/v1/channel-connections`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${novu.secretKey}`, 'content-type': 'application/json', 'idempotency-key': 'late' },
      body: JSON.stringify(connection()),
      signal: controller.signal,
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(novu.connections.size).toBe(1);
    const retry = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'late' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotency-replay')).toBe('true');
  });

  it('never stores a 429: the rate limit answers before the idempotency layer', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', reply: novu.rateLimited() });
    const limited = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'rl' });
    expect(limited.status).toBe(429);
    expect(limited.body).not.toHaveProperty('error');
    expect(limited.headers.get('ratelimit-policy')).toContain('category="configuration"');
    expect((await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'rl' })).status).toBe(201);
  });
});

describe('channel connections (create-channel-connection.usecase.ts)', () => {
  it('allows one connection per integration, subscriber as sent and exact context set, checked before the identifier', async () => {
    await call('POST', '/v1/channel-connections', connection());
    const sameScope = await call('POST', '/v1/channel-connections', connection({ identifier: 'conn-a' }));
    expect(sameScope.status).toBe(409);
    expect(sameScope.body?.message).toBe(
      'A channel connection already exists for integration "slack-prod" with no subscriberId and context [tenant:T1]. Connection ID: conn-a',
    );
    const otherScope = await call('POST', '/v1/channel-connections', connection({ context: { tenant: 'T2' } }));
    expect(otherScope.body?.message).toBe('Channel connection with identifier "conn-a" already exists in environment "65f0c0ffee0000000000e0e0"');
    await call(
      'POST',
      '/v1/channel-connections',
      connection({ identifier: 'conn-s', connectionMode: 'subscriber', subscriberId: 'sub-1', context: undefined }),
    );
    const subscriberDuplicate = await call(
      'POST',
      '/v1/channel-connections',
      connection({ identifier: 'conn-t', connectionMode: 'subscriber', subscriberId: 'sub-1', context: undefined }),
    );
    expect(subscriberDuplicate.body?.message).toBe(
      'A channel connection already exists for integration "slack-prod" with subscriberId "sub-1" and no context. Connection ID: conn-s',
    );
  });

  it('refuses a refresh token where Novu would not rotate, and takes a Slack token on an email integration', async () => {
    const rotating = { accessToken: 'xoxb-a', refreshToken: 'xoxe-1-r' };
    const noCredentials = await call('POST', '/v1/channel-connections', connection({ integrationIdentifier: 'slack-staging', auth: rotating }));
    expect(noCredentials.body?.message).toBe('Integration "slack-staging" must have clientId and secretKey configured to store a rotating refresh token.');
    const notRotating = await call('POST', '/v1/channel-connections', connection({ integrationIdentifier: 'sendgrid', auth: rotating }));
    expect(notRotating.body?.message).toBe('Token rotation is not supported for provider "sendgrid". Remove refreshToken from the connection auth.');
    expect((await call('POST', '/v1/channel-connections', connection({ integrationIdentifier: 'sendgrid' }))).status).toBe(201);
  });

  it('leaves endpoints naming a deleted connection in place, and answers 404s in Novu’s words', async () => {
    await call('POST', '/v1/channel-connections', connection());
    await call('POST', '/v1/channel-endpoints', {
      identifier: 'e1',
      type: 'slack_channel',
      subscriberId: 'sub-1',
      integrationIdentifier: 'slack-prod',
      connectionIdentifier: 'conn-a',
      endpoint: { channelId: 'C1' },
    });
    expect((await call('DELETE', '/v1/channel-connections/conn-a')).status).toBe(204);
    expect(novu.endpoints.get('e1')?.connectionIdentifier).toBe('conn-a');
    expect((await call('GET', '/v1/channel-connections/conn-a')).body?.message).toBe("Channel connection with identifier 'conn-a' not found");
    expect((await call('PATCH', '/v1/channel-connections/conn-a', { workspace: { id: 'T1' }, auth: { accessToken: 'x' } })).body?.message).toBe(
      'Channel connection with identifier "conn-a" not found',
    );
  });
});

describe('channel endpoints and lists', () => {
  it('takes a phone endpoint on any integration, but no extra keys in it', async () => {
    const onEmail = await call('POST', '/v1/channel-endpoints', {
      type: 'phone',
      subscriberId: 'sub-1',
      integrationIdentifier: 'sendgrid',
      endpoint: { phoneNumber: 'not e164' },
    });
    expect(onEmail.status).toBe(201);
    const extra = await call('POST', '/v1/channel-endpoints', {
      type: 'phone',
      subscriberId: 'sub-1',
      integrationIdentifier: 'twilio-sms',
      endpoint: { phoneNumber: '+1', x: 1 },
    });
    expect(extra.status).toBe(400);
  });

  it('filters exactly, has no type filter, pages by record id, and refuses a limit over 100', async () => {
    for (let index = 0; index < 12; index += 1) {
      await call('POST', '/v1/channel-endpoints', {
        identifier: `e${index}`,
        type: index % 2 ? 'phone' : 'slack_user',
        subscriberId: 'sub-1',
        integrationIdentifier: 'slack-prod',
        context: index < 6 ? { tenant: 'T1', region: 'eu' } : { tenant: 'T1' },
        endpoint: index % 2 ? { phoneNumber: `+1${index}` } : { userId: `U${index}` },
      });
    }
    const typed = await call('GET', '/v1/channel-endpoints?type=phone&limit=100');
    expect(typed.body?.data).toHaveLength(12);
    const scoped = await call('GET', '/v1/channel-endpoints?contextKeys=region:eu&contextKeys=tenant:T1&limit=100');
    expect(scoped.body?.data.map((endpoint: { identifier: string }) => endpoint.identifier).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect((await call('GET', '/v1/channel-endpoints?contextKeys=tenant:T1&limit=100')).body?.data).toHaveLength(6);
    const first = await call('GET', '/v1/channel-endpoints?limit=5');
    expect(first.body?.data.map((endpoint: { identifier: string }) => endpoint.identifier)).toEqual(['e11', 'e10', 'e9', 'e8', 'e7']);
    const second = await call('GET', `/v1/channel-endpoints?limit=5&after=${first.body?.next}`);
    expect(second.body?.data[0].identifier).toBe('e6');
    expect((await call('GET', '/v1/channel-endpoints?limit=101')).body?.message).toEqual(['limit must not be greater than 100']);
  });
});
